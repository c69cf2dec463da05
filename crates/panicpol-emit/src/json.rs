//! The policy and the panic plan as one JSON document, `"schema":
//! "panicpol-policy", "version": 1`, documented field by field in
//! docs/policy-schema.md and described by docs/policy-schema.json.
//!
//! The document has its own types, converted from the policy crate's: the
//! shape stays what the schema says when those types change, and a change
//! that alters the shape has to bump [`VERSION`]. Bytes that are not UTF-8
//! (a command line is bytes) are shown with U+FFFD in their place.

use serde::Serialize;

use panicpol_kernel::Kernel;
use panicpol_policy::plan::{NotifierFate, When};
use panicpol_policy::policy::{Origin, Setting};

use crate::bootconfig::support;
use crate::cmdline;
use crate::params::{Compiled, Source};

/// The `schema` field.
pub const SCHEMA: &str = "panicpol-policy";
/// The `version` field; bumped on any change of shape or meaning.
pub const VERSION: u32 = 1;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginDoc {
    /// `cmdline`, `set`, `compiled_in`, `config` or `default`.
    pub from: &'static str,
    /// For `cmdline`: the token's byte range in the input line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    /// For `set`: which `--set`, from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// For `config`: the option, without `CONFIG_`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<&'static str>,
}

impl OriginDoc {
    fn of(source: &Source) -> OriginDoc {
        let base = OriginDoc {
            from: "default",
            span: None,
            index: None,
            option: None,
        };
        match source {
            Source::Input { span } => OriginDoc {
                from: "cmdline",
                span: Some([span.start, span.end]),
                ..base
            },
            Source::Set { index } => OriginDoc {
                from: "set",
                index: Some(*index),
                ..base
            },
            Source::Default(Origin::CompiledIn) => OriginDoc {
                from: "compiled_in",
                ..base
            },
            Source::Default(Origin::Config { option }) => OriginDoc {
                from: "config",
                option: Some(option),
                ..base
            },
            Source::Default(_) => base,
        }
    }
}

/// The target kernel.
#[derive(Debug, Clone, Serialize)]
pub struct KernelDoc {
    /// `uname -r`, when known.
    pub release: Option<String>,
    /// What the facts were read from.
    pub source: String,
    /// Bootconfig support.
    pub bootconfig: BootconfigDoc,
}

/// Whether the kernel can load a bootconfig.
#[derive(Debug, Clone, Serialize)]
pub struct BootconfigDoc {
    /// `CONFIG_BOOT_CONFIG`.
    pub compiled: Option<bool>,
    /// `CONFIG_BOOT_CONFIG_FORCE`.
    pub force: Option<bool>,
    /// `config`, `symbols` or `unknown`.
    pub known_from: &'static str,
}

/// What was compiled.
#[derive(Debug, Clone, Serialize)]
pub struct InputDoc {
    /// The input's name (a file, `<cmdline>`).
    pub name: String,
    /// The input command line.
    pub cmdline: String,
    /// The `--set` overrides, in order.
    pub set: Vec<String>,
}

/// One parameter to write.
#[derive(Debug, Clone, Serialize)]
pub struct ParamDoc {
    /// Canonical name.
    pub name: String,
    /// Value; `null` for a bare flag.
    pub value: Option<String>,
    /// The command-line token; `null` when it cannot be written.
    pub token: Option<String>,
    /// Only works on the bootloader's command line.
    pub early: bool,
    /// The sysctl setting the same variable late.
    pub sysctl: Option<&'static str>,
    /// The policy field it writes; `null` for a pass-through parameter.
    pub field: Option<&'static str>,
    /// Equals the kernel's default.
    pub default: bool,
    /// Where the value came from.
    pub origin: OriginDoc,
}

/// One policy field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDoc<T: Serialize> {
    /// The effective value.
    pub value: T,
    /// The kernel's default.
    pub default: T,
    /// Where the effective value came from.
    pub origin: OriginDoc,
}

/// `panic_on_taint`'s value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaintDoc {
    /// The taint mask.
    pub mask: u64,
    /// `,nousertaint`.
    pub nousertaint: bool,
}

/// `crashkernel=`.
#[derive(Debug, Clone, Serialize)]
pub struct CrashKernelDoc {
    /// The value that takes effect, as written.
    pub value: Option<String>,
    /// Well-formed for this kernel; `null` without a value.
    pub valid: Option<bool>,
    /// Why not.
    pub error: Option<String>,
    /// Where it is.
    pub origin: OriginDoc,
}

/// `panic_notifier_filter=`.
#[derive(Debug, Clone, Serialize)]
pub struct FilterDoc {
    /// The names.
    pub value: Vec<String>,
    /// Where they came from.
    pub origin: OriginDoc,
}

/// The effective policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyDoc {
    /// `crash_kexec_post_notifiers`.
    pub crash_kexec_post_notifiers: FieldDoc<bool>,
    /// `panic_print`.
    pub panic_print: FieldDoc<u64>,
    /// `panic_console_replay`.
    pub panic_console_replay: FieldDoc<bool>,
    /// `panic_timeout` (`panic=`).
    pub panic_timeout: FieldDoc<i64>,
    /// `panic_on_oops`.
    pub panic_on_oops: FieldDoc<bool>,
    /// `panic_on_warn`.
    pub panic_on_warn: FieldDoc<i64>,
    /// `panic_on_taint`.
    pub panic_on_taint: FieldDoc<Option<TaintDoc>>,
    /// `crashkernel=`.
    pub crashkernel: CrashKernelDoc,
    /// `panic_notifier_filter=`, on kernels that have it.
    pub panic_notifier_filter: Option<FilterDoc>,
}

/// One step of the panic path.
#[derive(Debug, Clone, Serialize)]
pub struct StepDoc {
    /// What it is.
    pub kind: String,
    /// One line.
    pub title: String,
    /// `always`, `before_kdump`, `without_kdump` or `never`.
    pub when: &'static str,
    /// For `never`: why.
    pub why: Option<String>,
    /// Details.
    pub detail: Vec<String>,
    /// The kernel code.
    pub code: &'static str,
}

/// One panic notifier.
#[derive(Debug, Clone, Serialize)]
pub struct NotifierDoc {
    /// The callback.
    pub callback: Option<String>,
    /// The notifier block.
    pub block: Option<String>,
    /// The priority.
    pub priority: Option<i32>,
    /// Source file and line.
    pub location: Option<String>,
    /// How its registration was known.
    pub known: String,
    /// Petr Mladek's group.
    pub group: Option<String>,
    /// The list the 2022 refactor proposed.
    pub v1_list: Option<String>,
    /// What it does.
    pub does: Option<String>,
    /// `before_kdump`, `only_without_kdump`, `always`, `filtered_out` or
    /// `conditional`.
    pub fate: &'static str,
    /// For `conditional`: the condition.
    pub why: Option<String>,
    /// What the fate depends on.
    pub depends_on: Option<String>,
}

/// One `panic_print` bit that is set.
#[derive(Debug, Clone, Serialize)]
pub struct DumpDoc {
    /// The bit.
    pub bit: u8,
    /// Its `panic_sys_info` name.
    pub name: Option<&'static str>,
    /// What it prints.
    pub meaning: &'static str,
    /// `yes`, `no` or `depends`.
    pub effective: String,
    /// Why not, or on what it depends.
    pub note: Option<String>,
}

/// The panic plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDoc {
    /// A crash kernel can be reserved.
    pub kdump_reserved: bool,
    /// The effective `crash_kexec_post_notifiers`.
    pub post_notifiers: bool,
    /// Code that may force `crash_kexec_post_notifiers` on.
    pub forced_by: Vec<String>,
    /// The steps in order.
    pub steps: Vec<StepDoc>,
    /// The notifiers in chain order.
    pub notifiers: Vec<NotifierDoc>,
    /// The `panic_print` bits set.
    pub dumps: Vec<DumpDoc>,
}

/// A panic token of the input that is not written.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedDoc {
    /// The token.
    pub text: String,
    /// Why not.
    pub why: String,
    /// Where it is.
    pub origin: OriginDoc,
}

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// The target kernel.
    pub kernel: KernelDoc,
    /// What was compiled.
    pub input: InputDoc,
    /// What to write.
    pub params: Vec<ParamDoc>,
    /// The command-line fragment; `null` when a value cannot be written.
    pub cmdline: Option<String>,
    /// Why the fragment cannot be written.
    pub cmdline_error: Option<String>,
    /// The effective policy.
    pub policy: PolicyDoc,
    /// The panic plan.
    pub plan: PlanDoc,
    /// Panic tokens not written.
    pub skipped: Vec<SkippedDoc>,
}

const CRASHKERNEL: &str = "crashkernel=";

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A unit enum's serde name (`snake_case` in the policy and kernel crates).
fn tag<T: Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn field<T: Serialize + Clone>(
    c: &Compiled,
    now: &Setting<T>,
    default: &Setting<T>,
) -> FieldDoc<T> {
    FieldDoc {
        value: now.value.clone(),
        default: default.value.clone(),
        origin: OriginDoc::of(&c.source_of_origin(&now.origin)),
    }
}

/// Builds the document for a compiled policy. `name` names the input.
pub fn document(c: &Compiled, kernel: &Kernel, name: &str) -> Document {
    let s = support(kernel);
    let p = &c.policy;
    let d = &c.defaults;
    let taint =
        |v: Option<(u64, bool)>| v.map(|(mask, nousertaint)| TaintDoc { mask, nousertaint });
    let (fragment, fragment_error) = match cmdline::render(&c.params) {
        Ok(f) => (Some(lossy(&f)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let plan = &c.plan;
    Document {
        schema: SCHEMA,
        version: VERSION,
        kernel: KernelDoc {
            release: kernel.release.clone(),
            source: tag(&kernel.source),
            bootconfig: BootconfigDoc {
                compiled: s.compiled,
                force: s.force,
                known_from: s.known_from,
            },
        },
        input: InputDoc {
            name: name.to_owned(),
            cmdline: lossy(&c.input),
            set: c.sets.clone(),
        },
        params: c
            .params
            .iter()
            .map(|x| ParamDoc {
                name: x.name.clone(),
                value: x.value.as_deref().map(lossy),
                token: cmdline::token(&x.name, x.value.as_deref())
                    .ok()
                    .map(|t| lossy(&t)),
                early: x.early,
                sysctl: x.sysctl,
                field: x.field,
                default: x.default,
                origin: OriginDoc::of(&x.source),
            })
            .collect(),
        cmdline: fragment,
        cmdline_error: fragment_error,
        policy: PolicyDoc {
            crash_kexec_post_notifiers: field(
                c,
                &p.crash_kexec_post_notifiers,
                &d.crash_kexec_post_notifiers,
            ),
            panic_print: field(c, &p.panic_print, &d.panic_print),
            panic_console_replay: field(c, &p.panic_console_replay, &d.panic_console_replay),
            panic_timeout: field(c, &p.panic_timeout, &d.panic_timeout),
            panic_on_oops: field(c, &p.panic_on_oops, &d.panic_on_oops),
            panic_on_warn: field(c, &p.panic_on_warn, &d.panic_on_warn),
            panic_on_taint: FieldDoc {
                value: taint(p.panic_on_taint.value),
                default: taint(d.panic_on_taint.value),
                origin: OriginDoc::of(&c.source_of_origin(&p.panic_on_taint.origin)),
            },
            crashkernel: CrashKernelDoc {
                value: p.crashkernel.value.clone(),
                valid: p.crashkernel.valid,
                error: p.crashkernel.error.clone(),
                origin: match &p.crashkernel.span {
                    // The policy keeps the value's span; the origin covers
                    // the `crashkernel=` text as well, like a token.
                    Some(span) => OriginDoc::of(
                        &c.source_of(&(span.start.saturating_sub(CRASHKERNEL.len())..span.end)),
                    ),
                    None => OriginDoc::of(&Source::Default(Origin::Default)),
                },
            },
            panic_notifier_filter: p.panic_notifier_filter.as_ref().map(|f| FilterDoc {
                value: f.value.clone(),
                origin: OriginDoc::of(&c.source_of_origin(&f.origin)),
            }),
        },
        plan: PlanDoc {
            kdump_reserved: plan.kdump_reserved,
            post_notifiers: plan.post_notifiers,
            forced_by: plan.forced_by.clone(),
            steps: plan
                .steps
                .iter()
                .map(|st| {
                    let (when, why) = match &st.when {
                        When::Always => ("always", None),
                        When::BeforeKdump => ("before_kdump", None),
                        When::WithoutKdump => ("without_kdump", None),
                        When::Never(w) => ("never", Some(w.clone())),
                    };
                    StepDoc {
                        kind: tag(&st.kind),
                        title: st.title.clone(),
                        when,
                        why,
                        detail: st.detail.clone(),
                        code: st.code,
                    }
                })
                .collect(),
            notifiers: plan
                .notifiers
                .iter()
                .map(|n| {
                    let (fate, why) = match &n.fate {
                        NotifierFate::BeforeKdump => ("before_kdump", None),
                        NotifierFate::OnlyWithoutKdump => ("only_without_kdump", None),
                        NotifierFate::Always => ("always", None),
                        NotifierFate::FilteredOut => ("filtered_out", None),
                        NotifierFate::Conditional(w) => ("conditional", Some(w.clone())),
                    };
                    NotifierDoc {
                        callback: n.callback.clone(),
                        block: n.block.clone(),
                        priority: n.priority,
                        location: n.location.clone(),
                        known: tag(&n.known),
                        group: n.group.as_ref().map(tag),
                        v1_list: n.v1_list.as_ref().map(tag),
                        does: n.does.clone(),
                        fate,
                        why,
                        depends_on: n.depends_on.clone(),
                    }
                })
                .collect(),
            dumps: plan
                .dumps
                .iter()
                .map(|x| DumpDoc {
                    bit: x.bit,
                    name: x.name,
                    meaning: x.meaning,
                    effective: tag(&x.effective),
                    note: x.note.clone(),
                })
                .collect(),
        },
        skipped: c
            .skipped
            .iter()
            .map(|x| SkippedDoc {
                text: x.text.clone(),
                why: x.why.clone(),
                origin: OriginDoc::of(&x.source),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Options, compile};
    use panicpol_kernel::KernelSource;

    #[test]
    fn the_document_carries_values_defaults_origins_and_the_plan() {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        k.release = Some("6.12.117".into());
        panicpol_policy::supplement::supplement(&mut k);
        let sets = vec!["panic=10".to_string()];
        let c = compile(
            b"console=ttyS0 panic_print=3 crashkernel=256M",
            &sets,
            &k,
            Options::default(),
        )
        .expect("compiles");
        let v = serde_json::to_value(document(&c, &k, "<cmdline>")).expect("json");
        assert_eq!(v["schema"], "panicpol-policy");
        assert_eq!(v["version"], 1);
        assert_eq!(v["kernel"]["source"], "catalogue");
        assert_eq!(v["policy"]["panic_print"]["value"], 3);
        assert_eq!(v["policy"]["panic_print"]["default"], 0);
        assert_eq!(
            v["policy"]["panic_print"]["origin"],
            serde_json::json!({"from": "cmdline", "span": [14, 27]})
        );
        assert_eq!(
            v["policy"]["panic_timeout"]["origin"],
            serde_json::json!({"from": "set", "index": 0})
        );
        assert_eq!(
            v["policy"]["crashkernel"]["origin"]["span"],
            serde_json::json!([28, 44])
        );
        assert_eq!(v["cmdline"], "panic_print=0x3 panic=10 crashkernel=256M");
        assert_eq!(v["params"][2]["early"], true);
        assert_eq!(v["plan"]["kdump_reserved"], true);
        assert!(v["plan"]["steps"].as_array().is_some_and(|s| !s.is_empty()));
        assert!(
            v["plan"]["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|s| s["kind"].as_str().is_some_and(|k| !k.is_empty()))
        );
    }
}
