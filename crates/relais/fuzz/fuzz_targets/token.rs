//! The conversation token opener on any string, and on real tokens altered
//! by the fuzzer: it must never panic, and it must never accept a token it
//! did not seal. The only altered token it may accept is one that is still
//! the sealed one once trimmed (the opener trims, and base64url without
//! padding has one spelling per byte string), and then it must give back
//! the progress and the conversation that were sealed.

#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow::{Answer, Progress};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use relais::conversation::token::{ConversationId, Sealer};
use relais::secret::ServerSecret;

const FLOW_VERSION: &str = "v1";
/// When the tokens are sealed and opened: 1 December 2026.
const NOW: i64 = 1_796_083_200;

/// A sealer and the tokens it sealed, once per process. `ServerSecret` has
/// no constructor from fixed bytes, so the secret is random: no input can
/// carry a token that opens, which makes "nothing else opens" a strict
/// check.
struct Sealed {
    sealer: Sealer,
    tokens: Vec<(String, (Progress, ConversationId))>,
}

static SEALED: LazyLock<Sealed> = LazyLock::new(|| {
    let sealer = Sealer::new(&ServerSecret::random().expect("the system gives random bytes"));
    let progresses = [
        Progress::default(),
        Progress {
            answers: vec![
                ("age".to_owned(), Answer::Number(34)),
                ("message".to_owned(), Answer::Text("bonjour".to_owned())),
            ],
        },
    ];
    let tokens = progresses
        .into_iter()
        .map(|progress| {
            let conversation = ConversationId::new();
            let token = sealer.seal(FLOW_VERSION, NOW, &progress, &conversation);
            (token, (progress, conversation))
        })
        .collect();
    Sealed { sealer, tokens }
});

/// Where an edit applies: the token's text, or its decoded bytes (encoded
/// again, so that the edit reaches the decryption rather than base64).
#[derive(Arbitrary, Debug)]
enum Layer {
    Text,
    Bytes,
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Flip { at: u16, mask: u8 },
    Insert { at: u16, byte: u8 },
    Remove { at: u16 },
    Truncate { at: u16 },
}

#[derive(Arbitrary, Debug)]
enum Input {
    /// Any string, opened with any flow version at any time.
    Raw {
        token: String,
        flow_version: String,
        now: i64,
    },
    /// One of the sealed tokens, altered.
    Altered {
        which: u8,
        layer: Layer,
        edits: Vec<Edit>,
    },
}

fuzz_target!(|input: Input| {
    let sealed = &*SEALED;
    match input {
        Input::Raw {
            token,
            flow_version,
            now,
        } => {
            let opened = sealed.sealer.open(&token, &flow_version, now);
            check(sealed, &token, opened.ok());
        }
        Input::Altered {
            which,
            layer,
            edits,
        } => {
            let (token, _) = &sealed.tokens[usize::from(which) % sealed.tokens.len()];
            let altered = match layer {
                Layer::Text => {
                    let mut bytes = token.clone().into_bytes();
                    apply(&mut bytes, &edits);
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                Layer::Bytes => {
                    let mut bytes = URL_SAFE_NO_PAD
                        .decode(token)
                        .expect("a sealed token is base64url");
                    apply(&mut bytes, &edits);
                    URL_SAFE_NO_PAD.encode(bytes)
                }
            };
            let opened = sealed.sealer.open(&altered, FLOW_VERSION, NOW);
            check(sealed, &altered, opened.ok());
        }
    }
});

/// A token that opened must be one of ours, and open to its own progress
/// and conversation.
fn check(sealed: &Sealed, token: &str, opened: Option<(Progress, ConversationId)>) {
    let Some(opened) = opened else { return };
    let ours = sealed
        .tokens
        .iter()
        .find(|(sealed, _)| sealed.as_str() == token.trim());
    match ours {
        Some((_, expected)) => assert_eq!(&opened, expected, "{token:?}"),
        None => panic!("a token that was never sealed opened: {token:?} → {opened:?}"),
    }
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        // Positions wrap around the current length, so that every edit
        // lands somewhere.
        let at = |at: u16, len: usize| usize::from(at) % len.max(1);
        match *edit {
            Edit::Flip { at: i, mask } => {
                if !bytes.is_empty() {
                    let i = at(i, bytes.len());
                    bytes[i] ^= mask;
                }
            }
            Edit::Insert { at: i, byte } => {
                let i = at(i, bytes.len() + 1);
                bytes.insert(i, byte);
            }
            Edit::Remove { at: i } => {
                if !bytes.is_empty() {
                    let i = at(i, bytes.len());
                    bytes.remove(i);
                }
            }
            Edit::Truncate { at: i } => {
                let i = at(i, bytes.len() + 1);
                bytes.truncate(i);
            }
        }
    }
}
