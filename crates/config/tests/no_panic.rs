//! Whatever text a configuration file holds, loading it and looking every
//! name up either works or fails with an error — it never panics.

use config::{Config, HostInfo, LoadOptions};
use proptest::prelude::*;

fn opts() -> LoadOptions {
    let mut o = LoadOptions { host: Some(HostInfo::fixed()), ..LoadOptions::default() };
    o.env = Some(Default::default());
    o
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("A".to_string()),
        Just("SCHEDD.B".to_string()),
        Just(" = ".to_string()),
        Just(" : ".to_string()),
        Just("+=".to_string()),
        Just(" @=end\n".to_string()),
        Just("\n@end\n".to_string()),
        Just("\n".to_string()),
        Just(" \\\n".to_string()),
        Just("#".to_string()),
        Just("$(A)".to_string()),
        Just("$(B:x)".to_string()),
        Just("$(".to_string()),
        Just(")".to_string()),
        Just("$INT(A)".to_string()),
        Just("$CHOICE(A, x, y)".to_string()),
        Just("$SUBSTR(B, -1)".to_string()),
        Just("$Fpnxqd(A)".to_string()),
        Just("$RANDOM_CHOICE(a,b)".to_string()),
        Just("$ENV(HOME)".to_string()),
        Just("$(DOLLAR)".to_string()),
        Just("\nif ".to_string()),
        Just("\nelse\n".to_string()),
        Just("\nendif\n".to_string()),
        Just("defined A".to_string()),
        Just("version > 8.0".to_string()),
        Just("\nuse ROLE : Personal\n".to_string()),
        Just("\nerror : x\n".to_string()),
        Just("é".to_string()),
        "[ -~]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn loading_random_text_never_panics(parts in proptest::collection::vec(piece(), 0..40)) {
        let text: String = parts.concat();
        if let Ok(cfg) = Config::from_text("<random>", &text, &opts()) {
            for name in cfg.defined_names() {
                let _ = cfg.get(&name);
                let _ = cfg.value(&name);
                let _ = cfg.get_int(&name);
                let _ = cfg.entry(&name);
            }
        }
    }
}
