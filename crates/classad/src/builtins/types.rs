//! Type predicates (`isUndefined` … `isReltime`) and the conversion
//! functions `int()`, `real()`, `string()` and `bool()`.
//!
//! Every function here takes exactly one argument; any other count is
//! `error`. The predicates never propagate `undefined` or `error`: they
//! answer `true` or `false` about them.

use crate::Value;

use super::conv;
use super::Env;

fn predicate(args: &[Value], test: fn(&Value) -> bool) -> Value {
    match args {
        [v] => Value::Bool(test(v)),
        _ => Value::Error,
    }
}

/// `isUndefined(x)`
pub fn is_undefined(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Undefined))
}

/// `isError(x)`
pub fn is_error(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Error))
}

/// `isString(x)`
pub fn is_string(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::String(_)))
}

/// `isInteger(x)`
pub fn is_integer(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Int(_)))
}

/// `isReal(x)`
pub fn is_real(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Real(_)))
}

/// `isBoolean(x)`
pub fn is_boolean(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Bool(_)))
}

/// `isList(x)`
pub fn is_list(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::List(_)))
}

/// `isClassAd(x)`
pub fn is_classad(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::Ad(_)))
}

/// `isAbstime(x)`
pub fn is_abstime(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::AbsTime { .. }))
}

/// `isReltime(x)`
pub fn is_reltime(args: &[Value], _: &Env) -> Value {
    predicate(args, |v| matches!(v, Value::RelTime(_)))
}

/// `int(x)`: reals truncate, strings read their numeric prefix (`"12abc"`
/// is 12, `"abc"` is `error`), times give their seconds; `undefined` stays
/// `undefined`.
pub fn to_int(args: &[Value], _: &Env) -> Value {
    match args {
        [v] => match conv::to_int(v) {
            Ok(i) => Value::Int(i),
            Err(e) => e,
        },
        _ => Value::Error,
    }
}

/// `real(x)`: the real value, strings read with C's `strtod`.
pub fn to_real(args: &[Value], _: &Env) -> Value {
    match args {
        [v] => match conv::to_real(v) {
            Ok(r) => Value::Real(r),
            Err(e) => e,
        },
        _ => Value::Error,
    }
}

/// `string(x)`: the string form (lists and ads unparsed, reals as
/// `1.500000000000000E+00`, times in their canonical text).
pub fn to_string(args: &[Value], env: &Env) -> Value {
    match args {
        [Value::String(s)] => Value::String(s.clone()),
        [v] => match conv::to_str_env(v, env) {
            Ok(s) => Value::string(&s),
            Err(e) => e,
        },
        _ => Value::Error,
    }
}

/// `bool(x)`: numbers are true when non-zero, `"true"`/`"false"` in any
/// case convert, other strings are `undefined`; lists, ads and absolute
/// times are `error`.
pub fn to_bool(args: &[Value], _: &Env) -> Value {
    match args {
        [v] => match v {
            Value::Undefined => Value::Undefined,
            Value::Error | Value::List(_) | Value::Ad(_) | Value::AbsTime { .. } => Value::Error,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Bool(*i != 0),
            Value::Real(r) => Value::Bool(*r != 0.0),
            Value::String(s) => {
                if s.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else if s.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else {
                    Value::Undefined
                }
            }
            // Whole seconds decide.
            Value::RelTime(r) => Value::Bool(conv::f64_to_i64(*r) != 0),
        },
        _ => Value::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn predicates_answer_about_undefined_and_error() {
        check("isUndefined(undefined)", "true");
        check("isUndefined(error)", "false");
        check("isError(error)", "true");
        check("isError(undefined)", "false");
        check("isString(\"a\")", "true");
        check("isInteger(1)", "true");
        check("isInteger(1.0)", "false");
        check("isReal(1.0)", "true");
        check("isBoolean(true)", "true");
        check("isBoolean(1)", "false");
        check("isList({})", "true");
        check("isClassAd([])", "true");
        check("isAbstime(absTime(0, 0))", "true");
        check("isReltime(relTime(1))", "true");
        check("isAbstime(\"2020-01-01\")", "false");
        check("isUndefined()", "error");
        check("isUndefined(1, 2)", "error");
    }

    #[test]
    fn int_conversion() {
        check("int(3.9)", "3");
        check("int(-3.9)", "-3");
        check("int(\"12abc\")", "12");
        check("int(\"abc\")", "error");
        check("int(\"  42\")", "42");
        check("int(\"1e3\")", "1000");
        check("int(\" \")", "error");
        check("int(\"\")", "error");
        check("int(\"0x10\")", "16");
        check("int(\"inf\")", "-9223372036854775808");
        check("int(1e300)", "-9223372036854775808");
        check("int(\"9223372036854775807\")", "-9223372036854775808");
        check("int(true)", "1");
        check("int(undefined)", "undefined");
        check("int(error)", "error");
        check("int({1})", "error");
        check("int([a = 1])", "error");
        check("int(absTime(100, 0))", "100");
        check("int(relTime(-90.7))", "-90");
        check("int()", "error");
    }

    #[test]
    fn real_conversion() {
        check("real(3)", "3.0");
        check("real(\"2.5x\")", "2.5");
        check("real(\"x\")", "error");
        check("real(\" 1\")", "1.0");
        check("real(\"\")", "error");
        check("real(\"-inf\")", "-inf");
        check("real(\"0x1p3\")", "8.0");
        check("real(\"1e400\")", "inf");
        check("real(true)", "1.0");
        check("real(undefined)", "undefined");
        check("real(error)", "error");
        check("real({})", "error");
        check("real(\".\")", "error");
        check("real(relTime(2.5))", "2.0");
        check("real(absTime(5, 0))", "5.0");
    }

    #[test]
    fn string_conversion() {
        check("string(1)", "\"1\"");
        check("string(-7)", "\"-7\"");
        check("string(true)", "\"true\"");
        check("string(undefined)", "undefined");
        check("string(error)", "error");
        check("string(\"a\")", "\"a\"");
        check("string(1.5)", "\"1.500000000000000E+00\"");
        check("string(1e-300)", "\"1.000000000000000E-300\"");
        check("string({1, \"a\", 2.5})", "\"{ 1,\\\"a\\\",2.500000000000000E+00 }\"");
        check("string(absTime(31536000, 0))", "\"1971-01-01T00:00:00-00:00\"");
        check("string(absTime(0, 3600))", "\"1970-01-01T01:00:00+01:00\"");
        check("string(absTime(0, -5400))", "\"1969-12-31T22:30:00-01:30\"");
        check("string(relTime(0))", "\"00\"");
        check("string(relTime(-1))", "\"-01\"");
        check("string(relTime(59.5))", "\"59\"");
        check("string(relTime(3600))", "\"01:00:00\"");
        check("string(relTime(90061.25))", "\"1+01:01:01\"");
        check("string(relTime(-90061.25))", "\"-1+01:01:01\"");
        check("string()", "error");
        check("string(1, 2)", "error");
    }

    #[test]
    fn bool_conversion() {
        check("bool(0)", "false");
        check("bool(2)", "true");
        check("bool(0.0)", "false");
        check("bool(-0.5)", "true");
        check("bool(\"TRUE\")", "true");
        check("bool(\"False\")", "false");
        check("bool(\"yes\")", "undefined");
        check("bool(\"1\")", "undefined");
        check("bool(undefined)", "undefined");
        check("bool(error)", "error");
        check("bool({})", "error");
        check("bool([])", "error");
        check("bool(absTime(0, 0))", "error");
        check("bool(relTime(0.5))", "false");
        check("bool(relTime(2))", "true");
        check("bool(real(\"nan\"))", "true");
    }
}
