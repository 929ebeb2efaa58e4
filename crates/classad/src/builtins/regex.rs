//! Placeholder: being written (every function here answers `error` for now).

use super::Env;
use crate::Value;

pub fn regexp(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn regexp_member(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn regexps(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn replace(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn replace_all(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn string_list_regexp_member(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}
