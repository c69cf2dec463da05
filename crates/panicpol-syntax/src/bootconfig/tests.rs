//! Unit tests: tables of inputs with the answers of the kernel's parser
//! (checked against `tools/bootconfig` and, where noted, a booted 6.12
//! kernel), the character-class and 2026 options, spans and the command-line
//! renderings.

use super::*;

fn list(text: &str, opts: Options) -> Result<String, (String, Option<usize>)> {
    match parse(text.as_bytes(), opts) {
        Ok(bc) => Ok(String::from_utf8_lossy(&bc.render_list().text).into_owned()),
        Err(e) => Err((e.kind.message().to_owned(), e.pos)),
    }
}

/// (input, `bootconfig -l` output) for accepted inputs.
const ACCEPTED: &[(&str, &str)] = &[
    ("a = 1\n", "a = \"1\"\n"),
    ("a=1", "a = \"1\"\n"),
    ("a\n", "a = \"\"\n"),
    ("a;b;c\n", "a = \"\"\nb = \"\"\nc = \"\"\n"),
    ("a = 1, 2 ,3\n", "a = \"1\", \"2\", \"3\"\n"),
    ("a = \"x y\" ; b = 'q\"q'\n", "a = \"x y\"\nb = 'q\"q'\n"),
    ("a.b = 1\na = 2\n", "a = \"2\"\na.b = \"1\"\n"),
    ("a = 1\na.b = 2\n", "a = \"1\"\na.b = \"2\"\n"),
    ("a = 1, 2\na := 3\n", "a = \"3\"\n"),
    ("a = 1\na += 2, 3\n", "a = \"1\", \"2\", \"3\"\n"),
    ("a += 1\n", "a = \"1\"\n"),
    ("a := 1\n", "a = \"1\"\n"),
    ("a { b = 1; c { d } }\n", "a.b = \"1\"\na.c.d = \"\"\n"),
    ("a { b = 1 }\n", "a.b = \"1\"\n"),
    ("a = 1 # c\n", "a = \"1\"\n"),
    ("a = # c\n 2\n", "a = \"2\"\n"),
    ("a =\nb = c\n", "a = \"b = c\"\n"),
    ("a = 1,\n# c\n 2\n", "a = \"1\", \"2\"\n"),
    ("a = v   ", "a = \"v   \"\n"),
    ("a = \"v\"   ", "a = \"v\"\n"),
    ("x-y_z.0 = 1\n", "x-y_z.0 = \"1\"\n"),
    ("a = \"\", b\n", "a = \"\"\n"),
    ("a = 1\n\0b = = =\n", "a = \"1\"\n"),
    ("a = x=y\n", "a = \"x=y\"\n"),
    ("a = {x\n", "a = \"{x\"\n"),
];

/// (input, message, 0-based position) for rejected inputs.
const REJECTED: &[(&str, &str, usize)] = &[
    ("", "Config data is empty", usize::MAX),
    ("# nothing\n", "Empty config", 0),
    ("foo", "No delimiter", 0),
    ("a = 1\n  foo", "No delimiter", 8),
    ("a + 1\n", "Wrong '+' operator", 2),
    ("a :x 1\n", "Wrong ':' operator", 2),
    ("a b = 1\n", "Invalid keyword", 0),
    ("a..b = 1\n", "Invalid keyword", 2),
    ("= 1\n", "Invalid keyword", 0),
    ("a = \x01\n", "Non printable value", 4),
    ("a = \"x\" y\n", "No value delimiter", 8),
    ("a = \"x\n", "No closing quotes", 7),
    ("a = 1\na = 2\n", "Value is redefined", 10),
    ("a = 1\n}\n", "Unexpected closing brace", 6),
    ("}\n", "Unexpected closing brace", 0),
    ("a {\n", "Brace is not closed", 0),
    ("x = 1\nab.cd {\n", "Brace is not closed", 9),
    ("a = 1 # c\n ,2\n", "Invalid keyword", 11),
];

#[test]
fn accepted_inputs_list_as_the_tool_lists_them() {
    for (input, want) in ACCEPTED {
        assert_eq!(
            list(input, Options::TOOL).as_deref(),
            Ok(*want),
            "input {input:?}"
        );
    }
}

#[test]
fn rejected_inputs_fail_with_the_kernel_message_and_offset() {
    for (input, msg, pos) in REJECTED {
        let want_pos = (*pos != usize::MAX).then_some(*pos);
        assert_eq!(
            list(input, Options::TOOL),
            Err(((*msg).to_owned(), want_pos)),
            "input {input:?}"
        );
    }
}

#[test]
fn messages_as_the_kernel_and_the_tool_print_them() {
    let data = b"kernel.panic_print = 0x3\nkernel.panic_print = 0x3\n";
    let e = parse(data, Options::KERNEL).expect_err("redefined");
    // The booted 6.12 kernel said "Value is redefined at 46" for this case.
    assert_eq!(
        e.kernel_log(),
        "Failed to parse bootconfig: Value is redefined at 46."
    );
    assert_eq!(
        e.tool_message(data),
        "Parse Error: Value is redefined at 2:22"
    );
    let e = parse(b"", Options::KERNEL).expect_err("empty");
    assert_eq!(
        e.kernel_log(),
        "Failed to init bootconfig: Config data is empty."
    );
    assert_eq!(e.tool_message(b""), "Error: Config data is empty.");
}

#[test]
fn line_col_counts_like_show_xbc_error() {
    assert_eq!(line_col(b"abc", 0), (1, 1));
    assert_eq!(line_col(b"abc\ndef", 4), (2, 1));
    assert_eq!(line_col(b"abc\ndef", 6), (2, 3));
    // A position on the newline itself belongs to the line it ends.
    assert_eq!(line_col(b"abc\ndef", 3), (1, 4));
}

#[test]
fn limits() {
    let too_big = vec![b'#'; XBC_DATA_MAX + 1];
    let e = parse(&too_big, Options::KERNEL).expect_err("too big");
    assert_eq!((e.kind, e.pos), (ErrorKind::ConfigDataTooBig, None));

    // Short keys, as in the kernel's test script: 8192 fit in 32767 bytes.
    let nodes: String = (0..XBC_NODE_MAX)
        .map(|i| {
            let l = |d: usize| char::from(b'A' + (d % 26) as u8);
            if i < 26 {
                format!("{}\n", l(i))
            } else {
                format!("{}{}{}\n", l(i), l(i / 26), l(i / 676))
            }
        })
        .collect();
    assert_eq!(
        parse(nodes.as_bytes(), Options::KERNEL).map(|b| b.node_count()),
        Ok(XBC_NODE_MAX)
    );
    let one_more = format!("{nodes}x\n");
    let e = parse(one_more.as_bytes(), Options::KERNEL).expect_err("too many");
    assert_eq!(
        (e.kind, e.pos),
        (ErrorKind::TooManyNodes, Some(nodes.len()))
    );

    let deep = format!("{}v = 1\n{}", "k {\n".repeat(16), "}\n".repeat(16));
    assert!(parse(deep.as_bytes(), Options::KERNEL).is_err(), "17 words");
    let deep = format!("{}v\n{}", "k {\n".repeat(17), "}\n".repeat(17));
    let e = parse(deep.as_bytes(), Options::KERNEL).expect_err("17 braces");
    assert_eq!(e.kind, ErrorKind::ExceedMaxBraceDepth);
    assert_eq!(e.pos, Some(16 * 4 + 2));
}

#[test]
fn kernel_and_libc_character_classes_differ_above_ascii() {
    // UTF-8 "café": the tool rejects it, the kernel takes C3 A9 as Latin-1
    // letters and punctuation.
    let text = "k = caf\u{e9}\n";
    assert_eq!(
        list(text, Options::TOOL),
        Err(("Non printable value".to_owned(), Some(7)))
    );
    assert_eq!(
        list(text, Options::KERNEL).as_deref(),
        Ok("k = \"caf\u{e9}\"\n")
    );
    // 0xA0 is a kernel space: strim drops it from the end of a value, which
    // cuts the UTF-8 "à" (C3 A0) in half.
    let bc = parse(b"k = \xc3\xa0\n", Options::KERNEL).expect("kernel accepts");
    assert_eq!(bc.render_list().text, b"k = \"\xc3\"\n");
    // Latin-1 letters are keyword bytes for the kernel only.
    assert!(parse(b"\xc0\xe9 = 1\n", Options::KERNEL).is_ok());
    assert_eq!(
        parse(b"\xc0\xe9 = 1\n", Options::TOOL).map_err(|e| e.kind),
        Err(ErrorKind::InvalidKeyword)
    );
    // 0xD7 (multiplication sign) is punctuation even in Latin-1.
    assert!(parse(b"a\xd7b = 1\n", Options::KERNEL).is_err());
    // 0x80-0x9F are neither printable nor space in the kernel.
    assert_eq!(
        parse(b"k = \x85\n", Options::KERNEL).map_err(|e| e.kind),
        Err(ErrorKind::NonPrintableValue)
    );
}

#[test]
fn newline_ends_value_is_the_2026_rule() {
    let new = Options {
        newline_ends_value: true,
        ..Options::TOOL
    };
    let cases: &[(&str, &str, &str)] = &[
        // input, 6.12, 2026
        (
            "foo =\nbar = value\n",
            "foo = \"bar = value\"\n",
            "foo = \"\"\nbar = \"value\"\n",
        ),
        (
            "foo = # c\nbar\n",
            "foo = \"bar\"\n",
            "foo = \"\"\nbar = \"\"\n",
        ),
        ("a = 1,\n 2\n", "a = \"1\", \"2\"\n", "a = \"1\", \"2\"\n"),
        ("a = \"q\"\n", "a = \"q\"\n", "a = \"q\"\n"),
        ("a =", "a = \"\"\n", "a = \"\"\n"),
    ];
    for (input, old, newer) in cases {
        assert_eq!(
            list(input, Options::TOOL).as_deref(),
            Ok(*old),
            "6.12 {input:?}"
        );
        assert_eq!(list(input, new).as_deref(), Ok(*newer), "2026 {input:?}");
    }
    // The empty value still counts as a value.
    assert_eq!(
        list("a =\na = 1\n", new),
        Err(("Value is redefined".to_owned(), Some(8)))
    );
}

#[test]
fn spans_point_at_words_and_values() {
    let text = b"kernel {\n\tpanic_print = \"0x3\"\n}\nkernel.panic = 10\n";
    let bc = parse(text, Options::KERNEL).expect("valid");
    let entries = bc.entries();
    assert_eq!(entries.len(), 2);
    let words: Vec<&[u8]> = entries[0].words.iter().map(|s| bc.slice(s)).collect();
    assert_eq!(words, [&b"kernel"[..], b"panic_print"]);
    let v = bc.node(entries[0].values[0]).expect("value node");
    assert_eq!(bc.slice(&v.span), b"0x3");
    assert_eq!(bc.slice(&v.raw_span()), b"\"0x3\"");
    assert_eq!(v.quote, Some(b'"'));
    // `kernel` was written twice; both places are recorded.
    let k = bc.node(bc.find("kernel").expect("kernel")).expect("node");
    let mentions: Vec<usize> = k.mentions.iter().map(|s| s.start).collect();
    assert_eq!(mentions, [0, 32]);
    assert_eq!(bc.slice(&entries[1].words[1]), b"panic");
    assert_eq!(bc.text(entries[1].values[0]), b"10");
}

#[test]
fn override_keeps_the_replaced_nodes_in_the_count() {
    // good-override: `:=` reuses the first value node and drops the rest of
    // the array, but the dropped elements (2 and 4) still count.
    let bc = parse(b"key.word = 1,2,4\nkey.word := 2,3\n", Options::KERNEL).expect("valid");
    assert_eq!(bc.node_count(), 6);
    assert_eq!(bc.render_list().text, b"key.word = \"2\", \"3\"\n");
}

/// The bootconfig of the boot test in the reference notes (case (a)).
const CASE_A: &[u8] =
    b"# panicpol oracle case (a)\nkernel {\n\tpanic_print = 0x3\n\tcrash_kexec_post_notifiers\n}\ninit.foo = bar\n";

#[test]
fn kernel_and_init_parameters_as_a_booted_kernel_rendered_them() {
    let bc = parse(CASE_A, Options::KERNEL).expect("valid");
    // "Load bootconfig: 103 bytes 7 nodes" on the 6.12 oracle kernel.
    assert_eq!(bc.node_count(), 7);
    let k = bc.cmdline("kernel").expect("renders").expect("has params");
    assert_eq!(k.text, b"panic_print=0x3 crash_kexec_post_notifiers ");
    assert_eq!(
        bc.slice(&bc.node(k.params[0].leaf).expect("leaf").span),
        b"panic_print"
    );
    assert_eq!(k.params[1].value, None);
    let i = bc.cmdline("init").expect("renders").expect("has params");
    assert_eq!(i.text, b"foo=bar ");
    let boot = b"console=ttyS0 bootconfig panic=-1";
    assert!(bootconfig_on_cmdline(boot));
    let all = compose_command_line(Some(&k), boot, Some(&i));
    assert_eq!(
        String::from_utf8_lossy(&all.text),
        "panic_print=0x3 crash_kexec_post_notifiers console=ttyS0 bootconfig panic=-1 -- foo=bar"
    );
    // Every byte maps back to its source.
    assert_eq!(all.locate(0), Some((Origin::Kernel { start: 0 }, 0)));
    let console = all
        .text
        .windows(7)
        .position(|w| w == b"console")
        .expect("console");
    assert_eq!(
        all.locate(console).map(|l| l.0),
        Some(Origin::Bootloader { start: 0 })
    );
    let foo = all.text.len() - 7;
    assert_eq!(
        all.locate(foo).map(|l| l.0),
        Some(Origin::Init { start: 0 })
    );
    assert_eq!(all.locate(foo - 2).map(|l| l.0), Some(Origin::Separator));
    // /proc/bootconfig as the booted kernel showed it.
    assert_eq!(
        String::from_utf8_lossy(&bc.render_proc(boot).expect("renders")),
        "kernel.panic_print = \"0x3\"\nkernel.crash_kexec_post_notifiers = \"\"\ninit.foo = \"bar\"\n\
         # Parameters from bootloader:\n# console=ttyS0 bootconfig panic=-1\n"
    );
}

#[test]
fn init_arguments_go_before_the_bootloaders_own() {
    let bc = parse(CASE_A, Options::KERNEL).expect("valid");
    let k = bc.cmdline("kernel").ok().flatten();
    let i = bc.cmdline("init").ok().flatten();
    let boot = b"console=ttyS0 bootconfig panic=-1 panic_print=0x1 -- cmdarg";
    let all = compose_command_line(k.as_ref(), boot, i.as_ref());
    // Verbatim from the 6.12 oracle boot.
    assert_eq!(
        String::from_utf8_lossy(&all.text),
        "panic_print=0x3 crash_kexec_post_notifiers console=ttyS0 bootconfig panic=-1 panic_print=0x1 -- foo=bar cmdarg"
    );
    // A line ending in `--`: the kernel's splice repeats the last dash.
    let all = compose_command_line(None, b"a --", i.as_ref());
    assert_eq!(all.text, b"a --foo=bar-");
    // No init fragment: the bootloader's line as is.
    let all = compose_command_line(None, b"a -- b", None);
    assert_eq!(all.text, b"a -- b");
}

#[test]
fn arrays_repeat_and_only_whitespace_is_quoted() {
    let text = b"kernel { foo = a, b; bar = \"hello world\"; panic_print = 0x1, 0x2; q = 'say \"hi\" now' }\n\
                 init { arr = x, y; msg = \"two words\" }\n";
    let bc = parse(text, Options::KERNEL).expect("valid");
    // "Load bootconfig: 171 bytes 17 nodes" on the oracle kernel.
    assert_eq!(bc.node_count(), 17);
    let k = bc.cmdline("kernel").expect("renders").expect("params");
    assert_eq!(
        String::from_utf8_lossy(&k.text),
        "foo=a foo=b bar=\"hello world\" panic_print=0x1 panic_print=0x2 q=\"say \"hi\" now\" "
    );
    assert_eq!(k.params.len(), 6);
    assert!(k.params[2].quoted && !k.params[0].quoted);
    let i = bc.cmdline("init").expect("renders").expect("params");
    assert_eq!(i.text, b"arr=x arr=y msg=\"two words\" ");
    // \v and 0xA0 split a kernel parameter, yet are not quoted.
    let bc = parse(b"kernel.a = \"x\x0by\"\n", Options::KERNEL).expect("valid");
    assert_eq!(
        bc.cmdline("kernel").ok().flatten().map(|c| c.text),
        Some(b"a=x\x0by ".to_vec())
    );
}

#[test]
fn kernel_with_a_value_drops_every_kernel_parameter() {
    let bc = parse(
        b"kernel = x\nkernel.panic = 1\ninit.a = b\n",
        Options::KERNEL,
    )
    .expect("valid");
    assert_eq!(bc.cmdline("kernel"), Err(ComposeError::RootIsLeaf));
    assert!(bc.cmdline("init").expect("renders").is_some());
    assert_eq!(bc.cmdline("nothere"), Ok(None));
    // A bare `kernel` key renders nothing, silently too.
    let bc = parse(b"kernel\n", Options::KERNEL).expect("valid");
    assert_eq!(bc.cmdline("kernel"), Err(ComposeError::RootIsLeaf));
}

#[test]
fn deep_keys_pass_the_parser_but_not_the_renderers() {
    let words: Vec<String> = (0..16).map(|i| format!("w{i}")).collect();
    let text = format!("{} = 1\n", words.join("."));
    let bc = parse(text.as_bytes(), Options::KERNEL).expect("16 words pass");
    assert_eq!(bc.render_list().error, Some(ComposeError::TooDeep));
    assert_eq!(bc.render_proc(b""), Err(ComposeError::TooDeep));
    // Under `kernel`, 16 words are 15 below the root: the kernel renders it.
    let text = format!("kernel.{} = 1\n", words[..15].join("."));
    let bc = parse(text.as_bytes(), Options::KERNEL).expect("16 words pass");
    assert!(bc.cmdline("kernel").expect("renders").is_some());
}

#[test]
fn proc_and_list_differ_on_an_empty_first_element() {
    let bc = parse(b"a = \"\", b\n", Options::KERNEL).expect("valid");
    assert_eq!(bc.render_list().text, b"a = \"\"\n");
    assert_eq!(bc.render_proc(b"x").expect("renders"), b"a = \"\", \"b\"\n");
}

#[test]
fn tree_form_matches_the_tool_on_a_small_case() {
    let bc = parse(b"a.b = 1\na.c = 2, 3\nd\n", Options::TOOL).expect("valid");
    assert_eq!(
        String::from_utf8_lossy(&bc.render_tree()),
        "a {\n\tb = \"1\";\n\tc = \"2\", \"3\";\n}\nd;\n"
    );
}

#[test]
fn bootconfig_word_on_the_command_line() {
    assert!(bootconfig_on_cmdline(b"bootconfig"));
    assert!(bootconfig_on_cmdline(b"quiet bootconfig=1"));
    assert!(bootconfig_on_cmdline(b"\"bootconfig\""));
    assert!(!bootconfig_on_cmdline(b"boot_config"));
    assert!(!bootconfig_on_cmdline(b"bootconfig2"));
    assert!(!bootconfig_on_cmdline(b"a -- bootconfig"));
}

/// A small deterministic generator: random inputs drawn mostly from the
/// bytes that matter to the grammar.
fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

#[test]
fn random_inputs_never_panic_and_spans_stay_inside() {
    const ALPHABET: &[u8] = b"ab.=+:;,#{}\"' \t\n\x00\x01\xa0\xc3";
    let mut seed = 0x5eed;
    for _ in 0..20_000 {
        let len = (lcg(&mut seed) % 64) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(lcg(&mut seed) % ALPHABET.len() as u64) as usize])
            .collect();
        for opts in [
            Options::KERNEL,
            Options::TOOL,
            Options {
                newline_ends_value: true,
                ..Options::KERNEL
            },
        ] {
            match parse(&data, opts) {
                Ok(bc) => {
                    for n in bc.nodes() {
                        assert!(n.span.start <= n.span.end && n.span.end <= data.len());
                    }
                    let _ = bc.render_list();
                    let _ = bc.render_tree();
                    let _ = bc.render_proc(b"x");
                    let k = bc.cmdline("a").ok().flatten();
                    let _ = compose_command_line(k.as_ref(), b"a -- b", k.as_ref());
                }
                Err(e) => {
                    assert!(
                        e.pos.is_none_or(|p| p <= data.len() + 1),
                        "{e:?} for {data:?}"
                    );
                }
            }
        }
    }
}
