//! Placeholder: being written (every function here answers `error` for now).

use super::Env;
use crate::Value;

pub fn user_home(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn user_map(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}
