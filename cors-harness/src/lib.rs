//! What the four adapters' tests share, so that each adapter's test file holds only
//! what its framework makes different: how to build an app, send a request and read a
//! response ([`AdapterUnderTest`]), and the tests only its framework has.
//!
//! - [`adapter`]: [`AdapterUnderTest`], and [`adapter_tests!`], which gives an adapter
//!   the `#[test]`s of the four modules below.
//! - [`table`]: the shared case table run in process: policies built once, answers
//!   compared, every mismatch reported at once.
//! - [`reload`]: a policy replaced while requests run: the two policies, the answer of
//!   a server reduced to what a policy decides, the thread that swaps policies, and the
//!   tally that proves no answer mixed the two.
//! - [`lookup`]: the asynchronous origin lookup, awaited only for the origins it alone
//!   can allow.
//! - [`log`]: a tracing subscriber that writes into memory, the refusal log test, and
//!   the way to run a test alone in its process.
//! - [`bench`]: the policy every benchmark gives ours and the peers.
//! - [`fixture`]: the policy and origins of the adapters' own framework tests.
//!
//! It depends on `cors-core` (unlike `cors-cases`, whose table must not be derived from
//! the engine it specifies): these helpers build policies, they do not judge them.
#![forbid(unsafe_code)]

pub mod adapter;
pub mod bench;
pub mod fixture;
pub mod log;
pub mod lookup;
pub mod reload;
pub mod table;

pub use adapter::AdapterUnderTest;
