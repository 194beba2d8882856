//! Where messages go: stdout for results, stderr for everything else, colour only
//! when allowed (`--color`, `NO_COLOR`, a terminal).

use std::io::IsTerminal;

use owo_colors::OwoColorize;

use crate::args::{ColorChoice, GlobalArgs};
use crate::error::CliError;

/// Writes messages to stderr according to the global options.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
    verbose: u8,
    color: bool,
    terminal: bool,
}

impl Printer {
    /// Decides colour and verbosity from the global options and the environment.
    pub fn new(global: &GlobalArgs) -> Printer {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Printer {
            quiet: global.quiet,
            verbose: global.verbose,
            color,
            terminal,
        }
    }

    /// Sends `tracing` output to stderr at the level `-v` asks for: npsolve's own decisions
    /// at `-v` (info) and `-vv` (debug), the libraries' (HTTP, TLS, the solver) only from
    /// `-vvv` on. `NPSOLVE_LOG` (an `EnvFilter` directive) replaces all of this.
    pub fn init_logging(&self) {
        let directives = log_directives(self.quiet, self.verbose);
        let filter = tracing_subscriber::EnvFilter::try_from_env("NPSOLVE_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(self.color)
            .without_time()
            .with_target(self.verbose > 1)
            .try_init();
    }

    /// Writes a result to stdout. A closed pipe (`npsolve abi x | head`) is not an
    /// error: the reader has what it wanted.
    pub fn stdout(&self, text: &str) -> Result<(), CliError> {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(CliError::Usage(format!("cannot write to stdout: {error}")))
            }
            _ => Ok(()),
        }
    }

    /// A one-line status message (e.g. "Resolved 12 packages"), only on a terminal or with -v.
    pub fn status(&self, message: &str) {
        if self.quiet || !(self.terminal || self.verbose > 0) {
            return;
        }
        if self.color {
            eprintln!("{}", message.dimmed());
        } else {
            eprintln!("{message}");
        }
    }

    /// The closing line of a command (`Resolved 12 packages in 85ms`), unless quiet: on
    /// stderr whether or not it is a terminal, as uv prints it, so a log shows what ran.
    pub fn summary(&self, message: &str) {
        if self.quiet {
            return;
        }
        if self.color {
            eprintln!("{}", message.dimmed());
        } else {
            eprintln!("{message}");
        }
    }

    /// A warning, unless quiet.
    pub fn warn(&self, message: &str) {
        if self.quiet {
            return;
        }
        if self.color {
            eprintln!("{}: {message}", "warning".yellow().bold());
        } else {
            eprintln!("warning: {message}");
        }
    }

    /// The rendering of a failed command.
    pub fn error(&self, error: &CliError) {
        let mut text = match error {
            // `-v` prints the whole derivation, not a screen of it.
            CliError::NoSolution { full, .. } if self.verbose > 0 => {
                format!("No solution found when resolving dependencies:\n{full}")
            }
            _ => error.to_string(),
        };
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(&format!("\n  Caused by: {cause_text}"));
            }
            source = cause.source();
        }
        if self.terminal {
            text = wrap_to_terminal(&text);
        }
        if self.color {
            eprintln!("{}: {text}", "error".red().bold());
        } else {
            eprintln!("error: {text}");
        }
    }
}

/// The `tracing` filter for `-q` and each `-v` count. Targets are module paths, and every
/// npsolve crate's starts with `npsolve`.
fn log_directives(quiet: bool, verbose: u8) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,npsolve=info",
        (false, 2) => "warn,npsolve=debug",
        _ => "trace",
    }
}

/// Each line wrapped to the terminal's width (continuations indented), for stderr on a
/// terminal only: a pipe or a file gets the lines whole, for tools to read.
fn wrap_to_terminal(text: &str) -> String {
    let Some((terminal_size::Width(width), _)) = terminal_size::terminal_size_of(std::io::stderr())
    else {
        return text.to_string();
    };
    let width = usize::from(width).max(40);
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        // `error: ` starts the first line.
        let room = if index == 0 {
            width - "error: ".len()
        } else {
            width
        };
        out.push(textwrap::fill(
            line,
            textwrap::Options::new(room).subsequent_indent("    "),
        ));
    }
    out.join("\n")
}
