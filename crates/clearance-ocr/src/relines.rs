//! A second reading of Chinese lines. With `chi_sim+eng`, tesseract sometimes decides that a
//! whole Chinese line is Latin script and returns low-confidence junk (`QUEL tei A TER.` for
//! `夜鹰工程进入第二阶段`). When a picture holds Chinese, it is read again with `chi_sim`
//! alone, and each line of the first reading that is weak Latin is replaced by the Chinese
//! line at the same place, if that one reads better.

use crate::layout;
use crate::tsv::Word;

/// A first-reading line without CJK whose mean confidence is below this is suspect.
const SUSPECT_CONF: f32 = 75.0;

/// True when the words hold Chinese read with some confidence: worth a second reading.
pub fn has_chinese(words: &[Word]) -> bool {
    words
        .iter()
        .any(|w| w.conf >= 60.0 && w.text.chars().any(is_han))
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Groups words into lines, keeping order.
fn lines(words: &[Word]) -> Vec<Vec<Word>> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(l)
                if l.last()
                    .is_some_and(|p| (p.block, p.par, p.line) == (w.block, w.par, w.line)) =>
            {
                l.push(w.clone())
            }
            _ => out.push(vec![w.clone()]),
        }
    }
    out
}

/// `(x0, y0, x1, y1)` of a line.
fn extent(line: &[Word]) -> (f32, f32, f32, f32) {
    line.iter().fold(
        (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
        |(a, b, c, d), w| {
            (
                a.min(w.left),
                b.min(w.top),
                c.max(w.left + w.width),
                d.max(w.top + w.height),
            )
        },
    )
}

/// True when two lines sit at the same place: they overlap across, and vertically by at
/// least half the lower one's height.
fn same_place(a: &[Word], b: &[Word]) -> bool {
    let (ax0, ay0, ax1, ay1) = extent(a);
    let (bx0, by0, bx1, by1) = extent(b);
    let dy = ay1.min(by1) - ay0.max(by0);
    let dx = ax1.min(bx1) - ax0.max(bx0);
    let h = (ay1 - ay0).min(by1 - by0);
    dx > 0.0 && h > 0.0 && dy >= h * 0.5
}

fn mean_conf(line: &[Word]) -> f32 {
    if line.is_empty() {
        return 0.0;
    }
    line.iter().map(|w| w.conf).sum::<f32>() / line.len() as f32
}

/// The first reading with its weak Latin lines replaced by better Chinese lines of the
/// second reading at the same place.
pub fn merge(first: &[Word], chinese: &[Word]) -> Vec<Word> {
    let second = lines(chinese);
    let mut used = vec![false; second.len()];
    let mut out = Vec::with_capacity(first.len());
    for line in lines(first) {
        let suspect =
            !line.iter().any(|w| w.text.chars().any(is_han)) && mean_conf(&line) < SUSPECT_CONF;
        let better = suspect
            .then(|| {
                second.iter().enumerate().find(|(i, cand)| {
                    !used.get(*i).copied().unwrap_or(true)
                        && same_place(&line, cand)
                        && has_chinese(cand)
                        && layout::score(cand) > layout::score(&line)
                })
            })
            .flatten();
        match (better, line.first()) {
            (Some((i, cand)), Some(head)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                out.extend(cand.iter().map(|w| Word {
                    block: head.block,
                    par: head.par,
                    line: head.line,
                    ..w.clone()
                }));
            }
            _ => out.extend(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(block: u32, line: u32, left: f32, top: f32, conf: f32, text: &str) -> Word {
        Word {
            block,
            par: 1,
            line,
            left,
            top,
            width: 100.0,
            height: 40.0,
            conf,
            text: text.into(),
        }
    }

    #[test]
    fn weak_latin_lines_give_way_to_chinese_at_the_same_place() {
        let first = [
            w(1, 1, 0.0, 0.0, 92.0, "会议纪要"),
            w(2, 1, 0.0, 100.0, 27.0, "QUEL"),
            w(2, 1, 120.0, 100.0, 36.0, "tei"),
            w(3, 1, 0.0, 200.0, 95.0, "Project"),
            w(3, 1, 120.0, 200.0, 96.0, "Nightjar"),
        ];
        let chinese = [
            w(1, 1, 0.0, 2.0, 90.0, "会议纪要"),
            w(1, 2, 0.0, 104.0, 88.0, "夜鹰工程进入第二阶段"),
            w(1, 3, 0.0, 200.0, 50.0, "叫"),
        ];
        assert!(has_chinese(&first));
        let merged = merge(&first, &chinese);
        let texts: Vec<&str> = merged.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            ["会议纪要", "夜鹰工程进入第二阶段", "Project", "Nightjar"]
        );
        assert_eq!(
            (merged[1].block, merged[1].line),
            (2, 1),
            "takes the replaced line's place"
        );
    }

    #[test]
    fn english_only_pictures_are_not_read_twice() {
        assert!(!has_chinese(&[w(1, 1, 0.0, 0.0, 95.0, "TOP")]));
        assert!(!has_chinese(&[w(1, 1, 0.0, 0.0, 30.0, "茶")]));
    }
}
