//! Placeholder: being written (every function here answers `error` for now).

use super::Env;
use crate::Value;

pub fn args_to_list(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn env_v1_to_v2(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn list_to_args(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn merge_environment(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}
