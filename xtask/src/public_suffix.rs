//! `cargo xtask public-suffix-table`: writes cors-core's table of the domains that have
//! rules of the Public Suffix List (https://publicsuffix.org/list/) under them.
//!
//! The `psl` crate answers "is this domain a public suffix" but cannot list the rules
//! under a domain, which is what refusing `https://*.amazonaws.com` or `https://*.np`
//! needs. The table is generated from the very list `psl` was compiled from (its crate
//! ships it as `data/rules.txt`), located through `cargo metadata`, so both answers come
//! from the version in Cargo.lock. `--check` compares instead of writing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the table lives, relative to the workspace.
const TABLE: &str = "cors-core/src/public_suffix/ancestors.rs";

#[derive(clap::Args)]
pub struct Args {
    /// Fail if the committed table differs from the one the locked list gives; write nothing.
    #[arg(long)]
    check: bool,
}

/// Writes the table, or with `--check` fails if the committed one is stale.
pub fn run(args: &Args) -> Result<(), String> {
    let workspace = workspace();
    let (version, rules_path) = locked_psl(&workspace)?;
    let rules = std::fs::read_to_string(&rules_path)
        .map_err(|e| format!("cannot read {}: {e}", rules_path.display()))?;
    let table = render(&ancestors(&rules)?, &version);
    let path = workspace.join(TABLE);
    if args.check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != table {
            return Err(format!("{TABLE} is not the table of psl {version}'s list; run `cargo xtask public-suffix-table`"));
        }
        println!("{TABLE} is the table of psl {version}'s list");
    } else {
        std::fs::write(&path, &table).map_err(|e| format!("cannot write {TABLE}: {e}"))?;
        println!(
            "wrote {TABLE} from psl {version}'s list ({} bytes)",
            table.len()
        );
    }
    Ok(())
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace")
        .to_path_buf()
}

/// The version of the `psl` package in Cargo.lock, and the list its crate ships.
fn locked_psl(workspace: &Path) -> Result<(String, PathBuf), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let psl: Vec<_> = packages.iter().filter(|p| p["name"] == "psl").collect();
    let [psl] = psl[..] else {
        return Err(format!(
            "expected one psl package in Cargo.lock, found {}",
            psl.len()
        ));
    };
    let version = psl["version"].as_str().unwrap_or_default().to_owned();
    let manifest = Path::new(psl["manifest_path"].as_str().unwrap_or_default());
    let rules = manifest.with_file_name("data").join("rules.txt");
    Ok((version, rules))
}

/// Every proper ancestor of a rule, in ASCII, with the labels that the preferred rule
/// under it puts in front of it (see [`preference`]).
fn ancestors(rules: &str) -> Result<BTreeMap<String, String>, String> {
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for line in rules.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let labels = rule_labels(line)?;
        for split in 1..labels.len() {
            let prefix = labels[..split].join(".");
            let ancestor = labels[split..].join(".");
            let better = found
                .get(&ancestor)
                .map_or(true, |kept| preference(&prefix) < preference(kept));
            if better {
                found.insert(ancestor, prefix);
            }
        }
    }
    Ok(found)
}

/// The labels of a rule, in ASCII. An exception rule (`!city.kawasaki.jp`) only carves a
/// name out of a wildcard (`*.kawasaki.jp`), so it counts as that wildcard: its proper
/// ancestors (`kawasaki.jp`, `jp`) are the wildcard's.
fn rule_labels(rule: &str) -> Result<Vec<String>, String> {
    let (wildcard, domain) = if let Some(exception) = rule.strip_prefix('!') {
        let (_, parent) = exception
            .split_once('.')
            .ok_or_else(|| format!("exception rule {rule:?} has no parent"))?;
        (true, parent)
    } else if let Some(parent) = rule.strip_prefix("*.") {
        (true, parent)
    } else {
        (false, rule)
    };
    let ascii = idna::domain_to_ascii(domain)
        .map_err(|e| format!("rule {rule:?} is no domain name: {e:?}"))?;
    let mut labels: Vec<String> = ascii.split('.').map(str::to_owned).collect();
    if wildcard {
        labels.insert(0, "*".to_owned());
    }
    Ok(labels)
}

/// Which rule a domain's entry names, least first: its own wildcard (the strongest
/// reason: every child is a public suffix), then the shortest rule, then the first in
/// byte order, so the table does not depend on the order of the list.
fn preference(prefix: &str) -> (bool, usize, &str) {
    (prefix != "*", prefix.split('.').count(), prefix)
}

fn render(ancestors: &BTreeMap<String, String>, version: &str) -> String {
    let mut out = format!(
        "//! Every domain that is a proper ancestor of a rule of the Public Suffix List
//! (<https://publicsuffix.org/list/>), with one rule under it.
//!
//! Generated by `cargo xtask public-suffix-table` from the list shipped in psl {version},
//! the version in Cargo.lock: do not edit. An xtask test fails when they drift apart.

/// Sorted by domain (in byte order) for binary search; the domains are in ASCII (`xn--`).
/// The second field is the labels one rule under the domain puts in front of it: `*` if
/// the list has the wildcard rule `*.domain` (or an exception under it, which implies
/// one), otherwise those of a shortest rule.
#[rustfmt::skip]
pub(super) const ANCESTORS: &[(&str, &str)] = &[
"
    );
    for (ancestor, prefix) in ancestors {
        out.push_str(&format!("    ({ancestor:?}, {prefix:?}),\n"));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rules: &str) -> Vec<(String, String)> {
        ancestors(rules).unwrap().into_iter().collect()
    }

    fn entry(ancestor: &str, prefix: &str) -> (String, String) {
        (ancestor.to_owned(), prefix.to_owned())
    }

    #[test]
    fn every_proper_ancestor_is_listed_with_its_own_wildcard_first() {
        let rules = "com\r\n// a comment\r\ns3.amazonaws.com\r\nx.y.amazonaws.com\r\n\
                     *.amazonaws.com\r\n*.np\r\n!city.kawasaki.jp\r\n";
        assert_eq!(
            table(rules),
            [
                entry("amazonaws.com", "*"),
                entry("com", "*.amazonaws"),
                entry("jp", "*.kawasaki"),
                entry("kawasaki.jp", "*"),
                entry("np", "*"),
                entry("y.amazonaws.com", "x"),
            ]
        );
    }

    #[test]
    fn unicode_rules_are_listed_in_punycode() {
        assert_eq!(
            table("公司.cn\n*.example.香港\n"),
            [
                entry("cn", "xn--55qx5d"),
                entry("example.xn--j6w193g", "*"),
                entry("xn--j6w193g", "*.example"),
            ]
        );
    }
}
