//! PP605 bootconfig-in-uki-initrd: a bootconfig attached to a UKI's
//! embedded initrd, where systemd-stub may bury it.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::Fact;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule605;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP605",
    name: "bootconfig-in-uki-initrd",
    severity: Severity::Warning,
    summary: "a bootconfig attached to a UKI's .initrd is found only if nothing follows it",
    doc: r#"## What it does
Fires for a unified kernel image (UKI) whose embedded initrd (the `.initrd`
section) ends with a bootconfig, as `panicpol initrd attach` or
`tools/bootconfig -a` leaves an initrd before `ukify build --initrd`.

## Why is this bad?
The kernel looks for a bootconfig only at the very end of the initrd it is
given (`get_boot_config_from_initrd`, init/main.c: the magic within the last
15 bytes). systemd-stub does not pass `.initrd` alone: it concatenates it
with the cpio archives it generates at boot (src/boot/stub.c), in this
order: `.ucode`, `.initrd`, credentials (`*.cred` beside the UKI and in
`/loader/credentials/`), system and configuration extensions (`*.raw`,
`*.confext.raw`), the `.pcrsig` and `.pcrpkey` sections, and from systemd
257 the `.osrel` and `.profile` sections (ukify adds `.osrel` by default).
Any of these puts bytes after the bootconfig, and the kernel boots without it
and without a word: the panic policy in it never applies.

It is an error when this image alone makes the stub add an archive after
`.initrd` at every boot (`.pcrsig`/`.pcrpkey`, or `.osrel`/`.profile` with a
stub of 257 or later, read from `.sdmagic`), or when the section's declared
size pads the data with zeros; otherwise a warning, since credentials or
extensions dropped beside the UKI later bury it too.

## Example
```
panicpol initrd attach initrd.img policy.bconf
ukify build --linux vmlinuz --initrd initrd.img --cmdline "bootconfig ..." --output linux.efi
```

## Fix
Put the policy where the stub cannot bury it: in the UKI's `.cmdline` (or a
command-line add-on), which `panicpol emit --format cmdline` writes, or
embed the bootconfig in the kernel (`CONFIG_BOOT_CONFIG_EMBED`).
"#,
};

impl Rule for Rule605 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for f in cx.facts() {
            let Fact::UkiInitrdBootconfig {
                at,
                stub,
                after,
                after_from_257,
                zero_fill,
            } = f
            else {
                continue;
            };
            let stub_name = match stub {
                Some(v) => format!("systemd-stub {v}"),
                None => "systemd-stub".to_string(),
            };
            let list = |v: &[String]| v.join(", ");
            let (severity, message) = if !after.is_empty() {
                (
                    Severity::Error,
                    format!(
                        "the kernel will not find this bootconfig: {stub_name} puts the archives of {} after the UKI's .initrd",
                        list(after)
                    ),
                )
            } else if f.buries_bootconfig() {
                (
                    Severity::Error,
                    format!(
                        "the kernel will not find this bootconfig: the UKI's .initrd section declares {zero_fill} bytes more than its data, zeros that end the initrd"
                    ),
                )
            } else {
                (
                    META.severity,
                    "this bootconfig is found only while systemd-stub adds nothing after the UKI's .initrd".to_string(),
                )
            };
            let mut d = Diagnostic::new(META.code, severity, message)
                .with_primary_at(at.clone(), "attached to the embedded initrd")
                .with_note("the kernel looks for a bootconfig only at the end of the whole initrd; systemd-stub appends the cpio archives it generates (credentials, system and configuration extensions, .pcrsig, .pcrpkey, and from 257 .osrel and .profile) after .initrd");
            if !after_from_257.is_empty() {
                d = d.with_note(format!(
                    "the stub's version is unknown (no .sdmagic): from systemd 257 on, {} also go after .initrd",
                    list(after_from_257)
                ));
            }
            if !f.buries_bootconfig() {
                d = d.with_note("any *.cred, *.raw or *.confext.raw beside the UKI or under /loader/ at boot buries it");
            }
            out.push(d.with_help(
                "put the policy in the UKI's .cmdline or a command-line add-on (`panicpol emit --format cmdline`), or embed the bootconfig in the kernel (CONFIG_BOOT_CONFIG_EMBED)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;

    fn fact(stub: Option<&str>, after: &[&str], from_257: &[&str], zero_fill: u32) -> Fact {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        Fact::UkiInitrdBootconfig {
            at: (FileId(4), 0..0),
            stub: stub.map(str::to_string),
            after: s(after),
            after_from_257: s(from_257),
            zero_fill,
        }
    }

    #[test]
    fn buried_for_sure_is_an_error_else_a_warning() {
        let k = kernel();
        let cases: &[(Fact, Severity, &str)] = &[
            (
                fact(Some("257.4"), &[".osrel"], &[], 0),
                Severity::Error,
                "systemd-stub 257.4 puts the archives of .osrel after",
            ),
            (
                fact(Some("255.2"), &[".pcrsig", ".pcrpkey"], &[], 0),
                Severity::Error,
                ".pcrsig, .pcrpkey after",
            ),
            (
                fact(Some("256.1"), &[], &[], 512),
                Severity::Error,
                "declares 512 bytes more",
            ),
            (
                fact(Some("255.2"), &[], &[], 3),
                Severity::Warning,
                "found only while",
            ),
            (
                fact(None, &[], &[".osrel"], 0),
                Severity::Warning,
                "found only while",
            ),
        ];
        for (f, severity, want) in cases {
            let mut e = entry("bootconfig");
            e.facts.push(f.clone());
            let d = run_entry(&Rule605, &e, &k);
            assert_eq!(d.len(), 1, "{f:?}");
            assert_eq!(d[0].severity, *severity, "{f:?}");
            assert!(d[0].message.contains(want), "{}", d[0].message);
        }
        let mut e = entry("bootconfig");
        e.facts.push(fact(None, &[], &[".osrel"], 0));
        let d = run_entry(&Rule605, &e, &k);
        assert!(
            d[0].notes
                .iter()
                .any(|n| n.contains("from systemd 257 on, .osrel")),
            "{:?}",
            d[0].notes
        );
        assert!(run_entry(&Rule605, &entry("bootconfig"), &k).is_empty());
    }
}
