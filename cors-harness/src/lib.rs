//! What the four adapters' tests share, so that each test file holds only what its
//! framework makes different: how to build an app, send a request and read a response.
//!
//! - [`reload`]: the two policies of the reload tests, the answer of a server reduced to
//!   what a policy decides, the thread that swaps policies while requests run, and the
//!   tally that proves no answer mixed the two.
//! - [`bench`]: the policy every benchmark gives ours and the peers.
//! - [`log`]: a tracing subscriber that writes into memory, to check what is logged.
//! - [`table`]: the shared case table run in process: policies built once, answers
//!   compared, every mismatch reported at once.
//!
//! It depends on `cors-core` (unlike `cors-cases`, whose table must not be derived from
//! the engine it specifies): these helpers build policies, they do not judge them.
#![forbid(unsafe_code)]

pub mod bench;
pub mod log;
pub mod reload;
pub mod table;
