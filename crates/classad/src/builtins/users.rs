//! Account functions: `userHome` and `userMap`.
//!
//! Both depend on the machine rather than the ad, so what they consult
//! comes from the [`Env`]: `userHome` reads a passwd file (unless disabled,
//! as HTCondor's `CLASSAD_ENABLE_USER_HOME = false` does), `userMap`
//! asks the [`super::UserMapper`] the daemon configured from its
//! `CLASSAD_USER_MAPFILE_*` map sets.

use super::stringlists::tokens;
use super::Env;
use crate::Value;

/// The home directory of `user` in a passwd-format file.
fn home_of(passwd: &str, user: &str) -> Option<String> {
    for line in passwd.lines() {
        let mut fields = line.split(':');
        if fields.next() != Some(user) {
            continue;
        }
        // name:password:uid:gid:gecos:home:shell
        let home = fields.nth(4)?;
        return (!home.is_empty()).then(|| home.to_string());
    }
    None
}

/// `userHome(user [, default])`: the home directory of a local account.
///
/// The default (a non-empty string) answers whenever the lookup cannot;
/// without one an unknown user or a disabled lookup is `undefined`, and a
/// name that is not a string is `error` (`undefined` stays `undefined`).
pub fn user_home(args: &[Value], env: &Env) -> Value {
    if args.is_empty() || args.len() > 2 {
        return Value::Error;
    }
    let default = match args.get(1) {
        Some(Value::String(d)) if !d.is_empty() => Some(d.clone()),
        _ => None,
    };
    let fallback = |missing: Value| match &default {
        Some(d) => Value::String(d.clone()),
        None => missing,
    };
    let user = match &args[0] {
        Value::String(u) => u,
        Value::Undefined => return fallback(Value::Undefined),
        _ => return fallback(Value::Error),
    };
    if !env.user_home_enabled {
        return fallback(Value::Undefined);
    }
    let path = env.passwd_file.as_deref().unwrap_or("/etc/passwd");
    let Ok(passwd) = std::fs::read_to_string(path) else { return fallback(Value::Undefined) };
    match home_of(&passwd, user) {
        Some(h) => Value::string(&h),
        None => fallback(Value::Undefined),
    }
}

/// `userMap(mapSet, user [, preferred [, default]])`: the groups a map set
/// gives a user. With two arguments the comma-separated list itself; with
/// three the preferred group if the user has it (ignoring case), else the
/// first; the fourth argument answers when there is no mapping or no group.
pub fn user_map(args: &[Value], env: &Env) -> Value {
    if args.len() < 2 || args.len() > 4 {
        return Value::Error;
    }
    let default = || args.get(3).cloned().unwrap_or(Value::Undefined);
    let (Value::String(map), Value::String(user)) = (&args[0], &args[1]) else {
        if args[0].is_error() || args[1].is_error() {
            return Value::Error;
        }
        return default();
    };
    let Some(groups) = env.user_mapper.as_ref().and_then(|m| m.map(map, user)) else {
        return default();
    };
    if args.len() == 2 {
        return Value::string(&groups);
    }
    let items: Vec<_> = tokens(&groups, ",").collect();
    let preferred = match args.get(2) {
        Some(Value::String(p)) => items.iter().find(|i| i.eq_ignore_ascii_case(p)),
        _ => None,
    };
    match preferred.or(items.first()) {
        Some(g) => Value::string(g),
        None => default(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::testing::{check, eval_with, show};
    use super::super::{Env, UserMapper};

    struct Groups;

    impl UserMapper for Groups {
        fn map(&self, map_set: &str, user: &str) -> Option<String> {
            match (map_set, user) {
                ("groups", "alice") => Some("physics, cms,Atlas".into()),
                ("groups", "nobody") => Some(String::new()),
                _ => None,
            }
        }
    }

    fn mapped() -> Env {
        Env { user_mapper: Some(Arc::new(Groups)), ..super::super::testing::env() }
    }

    #[test]
    fn user_map_forms() {
        let e = mapped();
        let c = |text: &str, want: &str| assert_eq!(show(&eval_with(text, &e)), want, "{text}");
        c("userMap(\"groups\", \"alice\")", "\"physics, cms,Atlas\"");
        c("userMap(\"groups\", \"alice\", \"atlas\")", "\"Atlas\"");
        c("userMap(\"groups\", \"alice\", \"lhcb\")", "\"physics\"");
        c("userMap(\"groups\", \"alice\", \"lhcb\", \"none\")", "\"physics\"");
        c("userMap(\"groups\", \"bob\")", "undefined");
        c("userMap(\"groups\", \"bob\", \"x\", \"none\")", "\"none\"");
        c("userMap(\"groups\", \"nobody\", \"x\")", "undefined");
        c("userMap(\"groups\", \"nobody\", \"x\", 7)", "7");
        c("userMap(\"other\", \"alice\")", "undefined");
        c("userMap(\"groups\", 1)", "undefined");
        c("userMap(\"groups\", 1, \"x\", \"d\")", "\"d\"");
        c("userMap(\"groups\", error)", "error");
        c("userMap(\"groups\")", "error");
        // Without a mapper every lookup misses.
        check("userMap(\"groups\", \"alice\")", "undefined");
    }

    #[test]
    fn user_home_reads_passwd_when_enabled() {
        let dir = std::env::temp_dir().join(format!("classad-passwd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("passwd");
        std::fs::write(&file, "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nnohome:x:1:1::: \n")
            .expect("write passwd");
        let e = Env {
            user_home_enabled: true,
            passwd_file: Some(Arc::from(file.to_string_lossy().as_ref())),
            ..super::super::testing::env()
        };
        let c = |text: &str, want: &str| assert_eq!(show(&eval_with(text, &e)), want, "{text}");
        c("userHome(\"alice\")", "\"/home/alice\"");
        c("userHome(\"alice\", \"/tmp\")", "\"/home/alice\"");
        c("userHome(\"carol\")", "undefined");
        c("userHome(\"carol\", \"/tmp\")", "\"/tmp\"");
        c("userHome(\"nohome\")", "undefined");
        c("userHome(1)", "error");
        c("userHome(1, \"/tmp\")", "\"/tmp\"");
        c("userHome(undefined)", "undefined");
        c("userHome(undefined, \"/tmp\")", "\"/tmp\"");
        c("userHome(\"alice\", \"\")", "\"/home/alice\"");
        c("userHome()", "error");
        // Disabled: only the default answers.
        let off = Env { user_home_enabled: false, ..e.clone() };
        let c = |text: &str, want: &str| assert_eq!(show(&eval_with(text, &off)), want, "{text}");
        c("userHome(\"alice\")", "undefined");
        c("userHome(\"alice\", \"/x\")", "\"/x\"");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
