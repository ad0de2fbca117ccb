//! Tesseract's TSV output: one row per page, block, paragraph, line and word; only the word
//! rows (level 5) carry text.

/// One recognised word, in the pixel space of the picture tesseract was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Block number: words of one block become one segment.
    pub block: u32,
    /// Paragraph number within the block.
    pub par: u32,
    /// Line number within the paragraph.
    pub line: u32,
    /// Left edge, pixels.
    pub left: f32,
    /// Top edge, pixels (y down).
    pub top: f32,
    /// Width, pixels.
    pub width: f32,
    /// Height, pixels.
    pub height: f32,
    /// Recognition confidence 0–100.
    pub conf: f32,
    /// The word's text.
    pub text: String,
}

/// Parses the word rows of a TSV. Rows that are not words, have no text, or are malformed
/// are skipped: the output comes from a helper program and is not trusted to be well formed.
pub fn parse(tsv: &str) -> Vec<Word> {
    tsv.lines().filter_map(parse_row).collect()
}

fn parse_row(row: &str) -> Option<Word> {
    let mut f = row.split('\t');
    let level: u32 = f.next()?.trim().parse().ok()?;
    if level != 5 {
        return None;
    }
    let _page = f.next()?;
    let block = f.next()?.trim().parse().ok()?;
    let par = f.next()?.trim().parse().ok()?;
    let line = f.next()?.trim().parse().ok()?;
    let _word = f.next()?;
    let mut num = || -> Option<f32> {
        let v: f32 = f.next()?.trim().parse().ok()?;
        v.is_finite().then_some(v)
    };
    let (left, top, width, height, conf) = (num()?, num()?, num()?, num()?, num()?);
    let text = f.next()?.trim().to_string();
    if text.is_empty() || width < 0.0 || height < 0.0 {
        return None;
    }
    Some(Word {
        block,
        par,
        line,
        left,
        top,
        width,
        height,
        conf,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_word_rows_only() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t900\t300\t-1\t\n\
            4\t1\t1\t1\t1\t0\t56\t62\t651\t49\t-1\t\n\
            5\t1\t1\t1\t1\t1\t56\t62\t434\t49\t95.691460\tRESTRICTED\n\
            5\t1\t1\t1\t1\t2\t517\t63\t190\t47\t96.5\tAREA\n\
            5\t1\t3\t1\t1\t1\t4\t4\t892\t292\t95.000000\t \n\
            5\t1\t3\t1\t1\t1\tNaN\t4\t892\t292\t95\tbad\n\
            5\t1\t3\tx\n";
        let words = parse(tsv);
        assert_eq!(words.len(), 2, "{words:?}");
        assert_eq!(words[0].text, "RESTRICTED");
        assert_eq!(
            (words[0].left, words[0].top, words[0].width, words[0].height),
            (56.0, 62.0, 434.0, 49.0)
        );
        assert_eq!((words[1].block, words[1].line), (1, 1));
        assert!((words[1].conf - 96.5).abs() < 1e-3);
    }

    #[test]
    fn garbage_gives_nothing() {
        assert!(parse("").is_empty());
        assert!(parse("\u{0}\t\t\t\n5\n5\t\t\t\t\t\t\t\t\t\t\t\n").is_empty());
    }
}
