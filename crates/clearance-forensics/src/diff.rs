//! Word-level difference between two texts: the passages of an earlier PDF revision that the
//! final revision no longer has. Latin words are tokens; every CJK character is a token of its
//! own, since Chinese has no spaces.

use std::collections::HashMap;

/// Largest `n × m` token table compared exactly (LCS); past it, a multiset comparison is used.
const LCS_CELLS: usize = 4_000_000;
/// Most passages reported.
const MAX_RUNS: usize = 50;

#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x20000..=0x2FA1F)
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(s) = word.take() {
                out.push(Token { start: s, end: i });
            }
            out.push(Token {
                start: i,
                end: i + c.len_utf8(),
            });
        } else if c.is_alphanumeric() {
            word.get_or_insert(i);
        } else if let Some(s) = word.take() {
            out.push(Token { start: s, end: i });
        }
    }
    if let Some(s) = word {
        out.push(Token {
            start: s,
            end: text.len(),
        });
    }
    out
}

fn key(text: &str, t: Token) -> String {
    text.get(t.start..t.end).unwrap_or("").to_lowercase()
}

/// Which tokens of `a` have a partner in `b` (longest common subsequence).
fn lcs_matched(a: &[String], b: &[String]) -> Vec<bool> {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut t = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a[i] == b[j] {
                t[(i + 1) * w + j + 1].saturating_add(1)
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
            t[i * w + j] = v;
        }
    }
    let mut matched = vec![false; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            matched[i] = true;
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    matched
}

/// Which tokens of `a` are still present in `b`, counting repeats (order ignored).
fn multiset_matched(a: &[String], b: &[String]) -> Vec<bool> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for k in b {
        *left.entry(k.as_str()).or_default() += 1;
    }
    a.iter()
        .map(|k| match left.get_mut(k.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when a passage is worth showing: a word of two or more letters, or two CJK characters.
fn substantial(run: &str) -> bool {
    let cjk = run.chars().filter(|&c| is_cjk(c)).count();
    cjk >= 2
        || run
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() >= 2)
}

/// Passages of `earlier` (as written there) whose words are gone from `later`. Text that only
/// moved (still present elsewhere in `later`) is not reported.
pub(crate) fn removed_passages(earlier: &str, later: &str) -> Vec<String> {
    let ta = tokens(earlier);
    let tb = tokens(later);
    let ka: Vec<String> = ta.iter().map(|&t| key(earlier, t)).collect();
    let kb: Vec<String> = tb.iter().map(|&t| key(later, t)).collect();
    let prefix = ka.iter().zip(&kb).take_while(|(x, y)| x == y).count();
    let suffix = ka[prefix..]
        .iter()
        .rev()
        .zip(kb[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (
        &ka[prefix..ka.len() - suffix],
        &kb[prefix..kb.len() - suffix],
    );
    let inner = if mid_a.len().saturating_mul(mid_b.len()) <= LCS_CELLS {
        lcs_matched(mid_a, mid_b)
    } else {
        multiset_matched(mid_a, mid_b)
    };
    let mut matched = vec![true; ka.len()];
    for (i, m) in inner.into_iter().enumerate() {
        matched[prefix + i] = m;
    }
    let later_squashed = squash(later);
    let mut runs = Vec::new();
    let mut i = 0;
    while i < ta.len() && runs.len() < MAX_RUNS {
        if matched[i] {
            i += 1;
            continue;
        }
        let first = i;
        while i < ta.len() && !matched[i] {
            i += 1;
        }
        let run = earlier
            .get(ta[first].start..ta[i - 1].end)
            .unwrap_or("")
            .trim();
        if substantial(run) && !later_squashed.contains(&squash(run)) {
            runs.push(run.to_string());
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_removed_passages() {
        let cases: [(&str, &str, &[&str]); 6] = [
            (
                "The site at Falcon Ridge is ready.",
                "The site at is ready.",
                &["Falcon Ridge"],
            ),
            (
                "The site at Falcon Ridge is ready.",
                "The site at Falcon Ridge is ready.",
                &[],
            ),
            (
                "Alpha beta.\nGamma delta.",
                "Gamma delta.\nAlpha beta.",
                &[],
            ),
            ("项目代号夜鹰工程已启动", "项目代号已启动", &["夜鹰工程"]),
            ("Page 1 of 2", "Page 2 of 2", &[]),
            (
                "Keep this. Remove me now. Keep that.",
                "Keep this. Keep that.",
                &["Remove me now"],
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(removed_passages(a, b), want, "{a:?} -> {b:?}");
        }
    }

    #[test]
    fn large_inputs_use_the_bounded_comparison() {
        let a: String = (0..3000).map(|i| format!("w{i} ")).collect::<String>() + "secretword";
        let b: String = (0..3000).rev().map(|i| format!("w{i} ")).collect();
        assert_eq!(removed_passages(&a, &b), vec!["secretword".to_string()]);
    }
}
