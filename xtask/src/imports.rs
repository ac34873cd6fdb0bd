//! Short names for wasm-bindgen's imports.
//!
//! wasm-bindgen names every function the wasm imports from its JS glue after the Rust item and a
//! hash (`__wbg_abort_f8d1589eb0c65ee2`, `__wbindgen_generic_0000000000000001`). Each name is
//! written twice, once in the wasm's import section and once as a key of the glue's import object
//! (`__wbg_abort_f8d1589eb0c65ee2:function(e){e.abort()}`), and random hex compresses badly:
//! one or two letters instead saved 3.7 KB gzip on this page (136 imports).
//!
//! Only the import section of the wasm is rewritten; every other section is copied byte for
//! byte. Exports (`__wbindgen_start`, `__wbindgen_malloc`, …) keep their names: the glue calls
//! them by name on the instance. Anything this step does not understand stops the build,
//! because a guess here would be a page that fails to instantiate.

use std::collections::{HashMap, HashSet};

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Encoding, Parser, Payload};

/// The prefixes of the names wasm-bindgen gives its imports.
const WASM_BINDGEN_PREFIXES: &[&str] = &["__wbg_", "__wbindgen_"];

/// The page's wasm and its JS glue with the imports renamed.
#[derive(Debug)]
pub struct Shortened {
    pub wasm: Vec<u8>,
    pub js: String,
    /// How many distinct import names were replaced.
    pub renamed: usize,
}

/// Why the imports could not be shortened. Each kind means that going on would risk a page
/// whose wasm does not find its imports.
#[derive(Debug, PartialEq)]
pub enum ShortenError {
    /// The wasm does not parse, or is a component rather than a core module.
    Wasm(String),
    /// The wasm imports from a module that is not wasm-bindgen's glue (an inline JS snippet,
    /// `env`, …): this step does not know where that module's names are written.
    UnknownModule { module: String, name: String },
    /// A wasm-bindgen import name is not written exactly once in the glue JS, so the key that
    /// provides it cannot be told apart from other uses (or there is no such key).
    NotOnceInGlue { name: String, occurrences: usize },
}

impl std::fmt::Display for ShortenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShortenError::Wasm(e) => write!(f, "cannot read the page's wasm: {e}"),
            ShortenError::UnknownModule { module, name } => write!(
                f,
                "the wasm imports {name:?} from module {module:?}, not from wasm-bindgen's glue; \
                 shortening import names does not know that module"
            ),
            ShortenError::NotOnceInGlue { name, occurrences } => write!(
                f,
                "the wasm imports {name:?}, which the JS glue has {occurrences} times as a whole \
                 word (expected exactly once, as the key of the import object): wasm-bindgen's \
                 glue has changed shape, shortening import names would break the page"
            ),
        }
    }
}

impl std::error::Error for ShortenError {}

impl From<wasmparser::BinaryReaderError> for ShortenError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ShortenError::Wasm(e.to_string())
    }
}

/// Renames the imports of `wasm` that come from `glue_module` (e.g. `./arrwdb-ops_bg.js`) and
/// carry wasm-bindgen's prefixes, in the wasm and in its glue `js` alike. Other imports of the
/// glue module keep their names (so a second run renames nothing); an import from any other
/// module is an error.
pub fn shorten_imports(
    wasm: &[u8],
    js: &str,
    glue_module: &str,
) -> Result<Shortened, ShortenError> {
    let imports = read_imports(wasm)?;
    for import in &imports {
        if import.module != glue_module {
            return Err(ShortenError::UnknownModule {
                module: import.module.to_owned(),
                name: import.name.to_owned(),
            });
        }
    }
    let words = words(js);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &(_, word) in &words {
        *counts.entry(word).or_default() += 1;
    }
    // Every word of the glue and every import name is taken, so a new name cannot meet one of
    // the import object's other keys, or anything else.
    let taken: HashSet<&str> = counts
        .keys()
        .copied()
        .chain(imports.iter().map(|i| i.name))
        .collect();
    let mut fresh = ShortNames::new(taken);
    let mut new_names: HashMap<&str, String> = HashMap::new();
    for import in &imports {
        let name = import.name;
        if !WASM_BINDGEN_PREFIXES.iter().any(|p| name.starts_with(p))
            || new_names.contains_key(name)
        {
            continue;
        }
        let occurrences = counts.get(name).copied().unwrap_or(0);
        if occurrences != 1 {
            return Err(ShortenError::NotOnceInGlue {
                name: name.to_owned(),
                occurrences,
            });
        }
        new_names.insert(name, fresh.next_name());
    }
    Ok(Shortened {
        wasm: rewrite_import_names(wasm, &new_names)?,
        js: replace_words(js, &words, &new_names),
        renamed: new_names.len(),
    })
}

/// The imports of a core wasm module, in order.
fn read_imports(wasm: &[u8]) -> Result<Vec<wasmparser::Import<'_>>, ShortenError> {
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Err(ShortenError::Wasm("it is a component, not a module".into())),
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    imports.push(import?);
                }
            }
            _ => {}
        }
    }
    Ok(imports)
}

/// The module again, its import section written anew with `new_names` (old name → new name)
/// and every other section copied as it is.
fn rewrite_import_names(
    wasm: &[u8],
    new_names: &HashMap<&str, String>,
) -> Result<Vec<u8>, ShortenError> {
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        if let Payload::ImportSection(section) = payload {
            let mut imports = wasm_encoder::ImportSection::new();
            for import in section.into_imports() {
                let import = import?;
                let ty = RoundtripReencoder
                    .entity_type(import.ty)
                    .map_err(|e| ShortenError::Wasm(e.to_string()))?;
                let name = new_names
                    .get(import.name)
                    .map_or(import.name, String::as_str);
                imports.import(import.module, name, ty);
            }
            module.section(&imports);
        } else if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    Ok(module.finish())
}

/// Whether `b` can be part of a JS identifier. Any non-ASCII byte counts as one, so a name
/// next to a Unicode letter is never taken for a whole word (and is then not found: an error,
/// not a wrong rename).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || !b.is_ascii()
}

/// The maximal runs of identifier bytes in `js`, with their byte offsets. Strings and comments
/// are not told apart from code: a name inside one counts, which only makes the checks stricter.
fn words(js: &str) -> Vec<(usize, &str)> {
    let bytes = js.as_bytes();
    let mut words = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate().chain([(bytes.len(), &b' ')]) {
        match (start, i < bytes.len() && is_word_byte(b)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                words.push((s, &js[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// `js` with each of `words` that `new_names` maps replaced by its new name.
fn replace_words(js: &str, words: &[(usize, &str)], new_names: &HashMap<&str, String>) -> String {
    let mut out = String::with_capacity(js.len());
    let mut copied = 0;
    for &(at, word) in words {
        if let Some(new) = new_names.get(word) {
            out.push_str(&js[copied..at]);
            out.push_str(new);
            copied = at + word.len();
        }
    }
    out.push_str(&js[copied..]);
    out
}

/// Short JS identifiers, shortest first (`a` … `Z`, then `aa`, `ab`, …), skipping the taken ones
/// and the reserved words (legal as object keys, but not identifiers; a few contextual keywords
/// too, to be safe).
struct ShortNames<'a> {
    taken: HashSet<&'a str>,
    /// The next candidate, as digits: the first in `FIRST`, the others in `REST`.
    digits: Vec<usize>,
}

const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const RESERVED_WORDS: &[&str] = &[
    "as",
    "do",
    "if",
    "in",
    "of",
    "for",
    "let",
    "new",
    "try",
    "var",
    "case",
    "else",
    "enum",
    "eval",
    "null",
    "this",
    "true",
    "void",
    "with",
    "await",
    "break",
    "catch",
    "class",
    "const",
    "false",
    "super",
    "throw",
    "while",
    "yield",
    "delete",
    "export",
    "import",
    "public",
    "return",
    "static",
    "switch",
    "typeof",
    "default",
    "extends",
    "finally",
    "package",
    "private",
    "continue",
    "debugger",
    "function",
    "arguments",
    "interface",
    "protected",
    "implements",
    "instanceof",
];

impl<'a> ShortNames<'a> {
    fn new(taken: HashSet<&'a str>) -> Self {
        ShortNames {
            taken,
            digits: vec![0],
        }
    }

    fn next_name(&mut self) -> String {
        loop {
            let name: String = self
                .digits
                .iter()
                .enumerate()
                .map(|(i, &d)| char::from(if i == 0 { FIRST[d] } else { REST[d] }))
                .collect();
            self.advance();
            if !self.taken.contains(name.as_str()) && !RESERVED_WORDS.contains(&name.as_str()) {
                return name;
            }
        }
    }

    /// Counts up, the last digit fastest; past the last name of a length comes the first of
    /// the next length.
    fn advance(&mut self) {
        for i in (0..self.digits.len()).rev() {
            let base = if i == 0 { FIRST.len() } else { REST.len() };
            self.digits[i] += 1;
            if self.digits[i] < base {
                return;
            }
            self.digits[i] = 0;
        }
        self.digits.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, CustomSection, EntityType, ExportKind, ExportSection, Function,
        FunctionSection, ImportSection, Instruction, MemoryType, Module, TypeSection, ValType,
    };

    const GLUE: &str = "./app_bg.js";

    /// A module like wasm-bindgen's: imports from the glue (functions and a memory), a function
    /// of its own that calls one of them, exports and a custom section.
    fn module(imports: &[(&str, &str)]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], [ValType::I32]);
        let mut import_section = ImportSection::new();
        for (module, name) in imports {
            import_section.import(module, name, EntityType::Function(0));
        }
        let memory = MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        };
        import_section.import(GLUE, "memory", memory);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut exports = ExportSection::new();
        exports.export("__wbindgen_start", ExportKind::Func, imports.len() as u32);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::LocalGet(0))
            .instruction(&Instruction::Call(0))
            .instruction(&Instruction::End);
        code.function(&body);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&import_section)
            .section(&functions)
            .section(&exports)
            .section(&code)
            .section(&CustomSection {
                name: "producers".into(),
                data: b"rustc"[..].into(),
            });
        module.finish()
    }

    /// Every section but the imports, as (id, content).
    fn other_sections(wasm: &[u8]) -> Vec<(u8, Vec<u8>)> {
        Parser::new(0)
            .parse_all(wasm)
            .map(|p| p.unwrap())
            .filter(|p| !matches!(p, Payload::ImportSection(_)))
            .filter_map(|p| p.as_section().map(|(id, r)| (id, wasm[r].to_vec())))
            .collect()
    }

    fn import_names(wasm: &[u8]) -> Vec<String> {
        read_imports(wasm)
            .unwrap()
            .iter()
            .map(|i| i.name.to_owned())
            .collect()
    }

    /// Shortens `imports` (all from the glue) against `js` and checks the names the wasm ends
    /// up with, the JS, and that nothing else in the wasm changed.
    fn check(imports: &[&str], js: &str, expected_names: &[&str], expected_js: &str) {
        let glue: Vec<_> = imports.iter().map(|n| (GLUE, *n)).collect();
        let wasm = module(&glue);
        let out = shorten_imports(&wasm, js, GLUE).unwrap();
        let mut names: Vec<&str> = expected_names.to_vec();
        names.push("memory");
        assert_eq!(import_names(&out.wasm), names);
        assert_eq!(out.js, expected_js);
        assert_eq!(other_sections(&out.wasm), other_sections(&wasm));
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        // A second run finds nothing left to rename and changes nothing.
        let again = shorten_imports(&out.wasm, &out.js, GLUE).unwrap();
        assert_eq!((again.wasm, again.js, again.renamed), (out.wasm, out.js, 0));
    }

    fn check_error(imports: &[(&str, &str)], js: &str, expected: ShortenError) {
        let wasm = module(imports);
        assert_eq!(shorten_imports(&wasm, js, GLUE).unwrap_err(), expected);
    }

    #[test]
    fn wasm_bindgen_imports_get_short_names_in_the_wasm_and_the_glue() {
        // The shape of esbuild's output: the import object's keys, exports called by name
        // (`c.__wbindgen_start`, not an import: untouched), minified locals taking `a`, `c`, `e`.
        check(
            &[
                "__wbg_abort_f8d1589eb0c65ee2",
                "__wbindgen_generic_0000000000000001",
            ],
            "function E(){return{__proto__:null,\"./app_bg.js\":{__proto__:null,\
             __wbg_abort_f8d1589eb0c65ee2:function(e){e.abort()},\
             __wbindgen_generic_0000000000000001:function(e){return a(e)}}}}\
             function R(_){c=_.exports;c.__wbindgen_start()}",
            &["b", "d"],
            "function E(){return{__proto__:null,\"./app_bg.js\":{__proto__:null,\
             b:function(e){e.abort()},\
             d:function(e){return a(e)}}}}\
             function R(_){c=_.exports;c.__wbindgen_start()}",
        );
    }

    #[test]
    fn other_names_of_the_glue_are_kept_and_never_reused() {
        // `a` is an import without wasm-bindgen's prefix: it stays, and the new name skips it.
        check(
            &["a", "__wbg_x_1"],
            "{a:function(){},__wbg_x_1:function(){}}",
            &["a", "b"],
            "{a:function(){},b:function(){}}",
        );
    }

    #[test]
    fn short_names_are_identifiers_not_yet_used() {
        // Once the one-letter names are taken, two letters follow.
        let letters: Vec<String> = FIRST.iter().map(|&c| char::from(c).to_string()).collect();
        let taken: HashSet<&str> = letters.iter().map(String::as_str).collect();
        let mut names = ShortNames::new(taken);
        let first: Vec<String> = (0..3).map(|_| names.next_name()).collect();
        assert_eq!(first, ["aa", "ab", "ac"]);
        // `do`, `if`, `in` are reserved words; a name never repeats.
        let mut names = ShortNames::new(HashSet::new());
        let all: Vec<String> = (0..3000).map(|_| names.next_name()).collect();
        assert!(!all.iter().any(|n| ["do", "if", "in"].contains(&n.as_str())));
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
        assert_eq!(all[52], "aa");
    }

    #[test]
    fn an_import_the_glue_does_not_have_exactly_once_stops_the_build() {
        let imports = [(GLUE, "__wbg_x_1")];
        for (js, occurrences) in [
            ("{}", 0),
            // Part of a longer word is not the name.
            ("{__wbg_x_12:function(){}}", 0),
            ("{__wbg_x_1:function(){}};f.__wbg_x_1", 2),
        ] {
            check_error(
                &imports,
                js,
                ShortenError::NotOnceInGlue {
                    name: "__wbg_x_1".into(),
                    occurrences,
                },
            );
        }
    }

    #[test]
    fn an_import_from_another_module_stops_the_build() {
        check_error(
            &[(GLUE, "__wbg_x_1"), ("./snippets/inline0.js", "f")],
            "{__wbg_x_1:function(){}}",
            ShortenError::UnknownModule {
                module: "./snippets/inline0.js".into(),
                name: "f".into(),
            },
        );
    }

    #[test]
    fn what_is_not_a_core_module_stops_the_build() {
        assert!(matches!(
            shorten_imports(b"\0asm\x0d\0\x01\0", "", GLUE),
            Err(ShortenError::Wasm(_))
        ));
        assert!(matches!(
            shorten_imports(b"not wasm", "", GLUE),
            Err(ShortenError::Wasm(_))
        ));
    }
}
