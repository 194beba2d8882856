//! `npsolve lock`: resolve and write a PEP 751 `pylock.toml`.

use std::process::ExitCode;

use npsolve_output::{
    PylockOptions, render_pylock, render_universal_pylock, universal_options, write_atomic,
};

use crate::args::LockArgs;
use crate::commands::compile::{elapsed, resolve_files, resolve_universal_files, warn_all};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve lock`.
pub fn run(args: &LockArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let started = std::time::Instant::now();
    let (text, count) = if args.resolve.target.universal {
        let (resolution, _, requires_python) = resolve_universal_files(
            std::slice::from_ref(&args.src_file),
            &args.resolve,
            None,
            true,
            printer,
        )?;
        warn_all(printer, &resolution.resolutions);
        let options = universal_options(&resolution, &requires_python);
        (
            render_universal_pylock(&resolution, &options)?,
            resolution.pins.len(),
        )
    } else {
        let target = settings::target(&args.resolve.target)?;
        let (resolution, _) = resolve_files(
            std::slice::from_ref(&args.src_file),
            &args.resolve,
            &target,
            None,
            true,
            printer,
        )?;
        warn_all(printer, std::slice::from_ref(&resolution));
        let options = PylockOptions::for_target(&target);
        (render_pylock(&resolution, &options)?, resolution.pins.len())
    };
    write_atomic(&args.output_file, text.as_bytes())?;
    // Without `-o` the lock goes to ./pylock.toml: say so, whatever stderr is.
    printer.summary(&format!(
        "Resolved {count} packages in {}; wrote {}",
        elapsed(started),
        args.output_file.display()
    ));
    Ok(ExitCode::SUCCESS)
}
