//! `npsolve lock`: resolve and write a PEP 751 `pylock.toml`.

use std::process::ExitCode;

use npsolve_output::{PylockOptions, render_pylock, write_atomic};

use crate::args::LockArgs;
use crate::commands::compile::resolve_files;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve lock`.
pub fn run(args: &LockArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let target = settings::target(&args.resolve.target)?;
    let (resolution, _) = resolve_files(
        std::slice::from_ref(&args.src_file),
        &args.resolve,
        &target,
        None,
        true,
        printer,
    )?;
    let options = PylockOptions::for_target(&target);
    let text = render_pylock(&resolution, &options)?;
    write_atomic(&args.output_file, text.as_bytes())?;
    printer.status(&format!(
        "Wrote {} packages to {}",
        resolution.pins.len(),
        args.output_file.display()
    ));
    Ok(ExitCode::SUCCESS)
}
