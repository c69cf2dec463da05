//! The `panicpol-policy` document against its committed schema
//! (docs/policy-schema.json) and its documentation (docs/policy-schema.md):
//! emitted documents validate, documents with a field added, missing or of
//! the wrong type do not, and every field of the schema is described in the
//! documentation.
//!
//! The validator is small and handles exactly the keywords the schema uses
//! (`type`, `properties`, `required`, `additionalProperties: false`,
//! `items`, `enum`, `const`, `$ref` to `#/$defs/…`, `minimum`); an unknown
//! keyword fails the test rather than being ignored.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use panicpol_emit::json::document;
use panicpol_emit::params::{Options, compile};
use panicpol_kernel::{Kernel, KernelSource, elf};
use serde_json::{Map, Value};

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(docs().join("policy-schema.json")).expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "$ref",
    "$defs",
    "minimum",
];

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Appends every violation of `s` by `v` at `path` to `errs`.
fn validate(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let Some(s) = s.as_object() else {
        errs.push(format!("{path}: schema is not an object"));
        return;
    };
    for k in s.keys() {
        assert!(KNOWN.contains(&k.as_str()), "unsupported keyword {k}");
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local $ref");
        let target = &root["$defs"][name];
        assert!(target.is_object(), "dangling $ref {r}");
        validate(root, target, v, path, errs);
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)),
            _ => false,
        };
        if !ok {
            errs.push(format!("{path}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        errs.push(format!("{path}: {v} is not {c}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{path}: {v} is not one of {e:?}"));
    }
    if let (Some(m), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64())
        && n < m
    {
        errs.push(format!("{path}: {n} < {m}"));
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap_or_default();
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing {r}"));
            }
        }
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, val, &format!("{path}.{k}"), errs),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{path}: unexpected field {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(root, items, x, &format!("{path}[{i}]"), errs);
        }
    }
}

fn check(v: &Value) -> Vec<String> {
    let root = schema();
    let mut errs = Vec::new();
    validate(&root, &root, v, "$", &mut errs);
    errs
}

fn catalogue_kernel() -> Kernel {
    let mut k = Kernel::empty(KernelSource::Catalogue);
    k.release = Some("6.12.117".into());
    panicpol_policy::supplement::supplement(&mut k);
    k
}

const LINES: &[(&str, &[&str])] = &[
    ("", &[]),
    (
        "console=ttyS0 panic_print=0x7f crash_kexec_post_notifiers panic=10 oops=panic",
        &[],
    ),
    (
        "panic_on_taint=0x20,nousertaint crashkernel=1G-4G:192M,4G-:512M softlockup_panic=1",
        &["panic=-1", "sysctl.kernel.panic_on_oops=0"],
    ),
    (
        "panic=banana crashkernel=xyz panic_notifier_filter=a,b",
        &[],
    ),
    ("x=\"a b\" reboot=panic_warm -- init", &["panic_on_warn=1"]),
];

fn documents(k: &Kernel) -> Vec<Value> {
    let mut out = Vec::new();
    for (line, sets) in LINES {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        for all in [false, true] {
            let c = compile(line.as_bytes(), &sets, k, Options { all }).expect("compiles");
            out.push(serde_json::to_value(document(&c, k, "<cmdline>")).expect("json"));
        }
    }
    out
}

#[test]
fn emitted_documents_validate() {
    let mut kernels = vec![catalogue_kernel()];
    // The real 6.12 vmlinux gives compiled-in defaults, notifiers with
    // locations and every field filled.
    if let Some(p) = panicpol_testkit::real_kernel("6.12", "vmlinux") {
        let mut k = elf::read_vmlinux(&p, elf::Options::all()).expect("vmlinux reads");
        panicpol_policy::supplement::supplement(&mut k);
        kernels.push(k);
    }
    let mut n = 0;
    for k in &kernels {
        for v in documents(k) {
            let errs = check(&v);
            assert!(errs.is_empty(), "{errs:#?}\n{v:#}");
            n += 1;
        }
    }
    assert!(n >= 10);
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let k = catalogue_kernel();
    let good = documents(&k).swap_remove(3);
    assert!(check(&good).is_empty());
    let mutate = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut v = good.clone();
        if let Some(o) = v.as_object_mut() {
            f(o);
        }
        check(&v)
    };
    assert!(
        !mutate(&|o| {
            o.insert("extra".into(), Value::Null);
        })
        .is_empty()
    );
    assert!(
        !mutate(&|o| {
            o.remove("plan");
        })
        .is_empty()
    );
    assert!(
        !mutate(&|o| {
            o.insert("version".into(), 2.into());
        })
        .is_empty()
    );
    assert!(
        !mutate(&|o| {
            o["policy"]["panic_timeout"]["value"] = "10".into();
        })
        .is_empty()
    );
    assert!(
        !mutate(&|o| {
            o["params"][0]["origin"]["from"] = "somewhere".into();
        })
        .is_empty()
    );
    assert!(
        !mutate(&|o| {
            o["policy"]["panic_print"]["value"] = (-1).into();
        })
        .is_empty()
    );
}

/// Every field path of the schema (`kernel.bootconfig.compiled`,
/// `params[].name`, `$defs` shapes as `origin.from`).
fn paths(root: &Value, s: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(p.clone());
            paths(root, v, &p, out);
        }
    }
    if let Some(items) = s.get("items") {
        paths(root, items, &format!("{prefix}[]"), out);
    }
    let _ = root;
}

#[test]
fn every_field_is_documented() {
    let root = schema();
    let mut all = Vec::new();
    paths(&root, &root, "", &mut all);
    for (name, def) in root["$defs"].as_object().expect("$defs") {
        paths(&root, def, name, &mut all);
    }
    let md = std::fs::read_to_string(docs().join("policy-schema.md")).expect("doc");
    let missing: Vec<&String> = all
        .iter()
        .filter(|p| !md.contains(&format!("`{p}`")))
        .collect();
    assert!(missing.is_empty(), "not documented: {missing:?}");
    assert!(all.len() > 80, "{}", all.len());
}
