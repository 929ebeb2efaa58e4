//! Placeholder: being written (every function here answers `error` for now).

use super::Env;
use crate::Value;

pub fn abs_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn current_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn day_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn format_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_day_of_month(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_day_of_week(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_day_of_year(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_days(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_hours(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_minutes(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_month(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_seconds(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn get_year(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn interval(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn rel_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn split_time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn time(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}

pub fn time_zone_offset(_args: &[Value], _env: &Env) -> Value {
    Value::Error
}
