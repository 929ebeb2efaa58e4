//! aerie pool start|stop|status.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("aerie pool start|stop|status: not built yet");
    ExitCode::from(2)
}
