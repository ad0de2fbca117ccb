//! Images on PDF pages that have a text layer: photos and pasted scans of signs, in any
//! encoding (JPEG, Flate, CCITT, JBIG2, JPEG 2000), drawn by the page or by its forms.
//!
//! Poppler's `pdfimages` lists a page's image draws in paint order (with object ids and
//! sizes) and writes them as PNG, so every encoding poppler decodes is read without a
//! decoder of our own. Where each image sits on the page comes from the extractor's paint
//! log, whose image draws are in the same order; a draw is paired with a listed image only
//! when their sizes agree, so word boxes land in page space or the image is not read.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clearance_extract::pdf::paint::{page_paint, PaintItem, PaintLog};
use clearance_extract::Limits;
use clearance_model::Rect;

use crate::{process, OcrError};

/// Images smaller than this on either side are icons, bullets or rules, not text to read.
pub const MIN_SIDE: u32 = 64;

/// An image covering this share of the page, on a page with text, is the page's scan whose
/// OCR text layer already is the page text.
const PAGE_SCAN_COVER: f32 = 0.9;

/// What `pdfimages -list` says of one image draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Number of the file `pdfimages` writes for it (`prefix-NNN.png`).
    pub num: u32,
    /// `image`, `mask`, `smask` or `stencil`.
    pub kind: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Components per pixel.
    pub comp: u32,
    /// Bits per component.
    pub bpc: u32,
    /// Object number and generation; `None` for an inline image.
    pub object: Option<(u32, u16)>,
    /// Horizontal resolution as drawn (pixels per inch of the page).
    pub x_ppi: f32,
    /// Vertical resolution as drawn.
    pub y_ppi: f32,
}

impl Listed {
    /// Bytes of its decoded pixels: a bound on what `pdfimages` writes for it.
    pub fn raw_bytes(&self) -> u64 {
        let bits = u64::from(self.width)
            * u64::from(self.height)
            * u64::from(self.comp.max(1))
            * u64::from(self.bpc.max(1));
        bits.div_ceil(8)
    }

    /// True for a draw that shows pixels (not the mask of another image).
    fn is_drawn(&self) -> bool {
        matches!(self.kind.as_str(), "image" | "stencil")
    }

    /// Its size on the page in points, from its pixels and resolution.
    fn drawn_size(&self) -> Option<(f32, f32)> {
        let ok = |ppi: f32| ppi.is_finite() && ppi > 0.0;
        (ok(self.x_ppi) && ok(self.y_ppi)).then(|| {
            (
                self.width as f32 * 72.0 / self.x_ppi,
                self.height as f32 * 72.0 / self.y_ppi,
            )
        })
    }
}

/// Parses the rows of `pdfimages -list` (the two header lines and malformed rows are
/// skipped).
pub fn parse_list(text: &str) -> Vec<Listed> {
    text.lines().filter_map(parse_row).collect()
}

fn parse_row(line: &str) -> Option<Listed> {
    let t: Vec<&str> = line.split_whitespace().collect();
    let num = |i: usize| t.get(i).and_then(|s| s.parse::<u32>().ok());
    let ppi = |i: usize| t.get(i).and_then(|s| s.parse::<f32>().ok());
    let (object, rest) = match *t.get(10)? {
        "[inline]" => (None, 11),
        n => (Some((n.parse().ok()?, t.get(11)?.parse().ok()?)), 12),
    };
    Some(Listed {
        num: num(1)?,
        kind: (*t.get(2)?).to_string(),
        width: num(3)?,
        height: num(4)?,
        comp: num(6)?,
        bpc: num(7)?,
        object,
        x_ppi: ppi(rest)?,
        y_ppi: ppi(rest + 1)?,
    })
}

/// Pairs each drawn listed image with an image draw of the paint log (page space boxes, in
/// paint order): in order, skipping draws whose size does not match. `None` where no draw
/// matches (the image is then not placed).
pub fn place(listed: &[&Listed], draws: &[Rect]) -> Vec<Option<Rect>> {
    let mut next = 0usize;
    listed
        .iter()
        .map(|l| {
            let at = draws
                .iter()
                .enumerate()
                .skip(next)
                .find(|(_, r)| fits(l, r))
                .map(|(i, r)| (i, *r));
            at.map(|(i, r)| {
                next = i + 1;
                r
            })
        })
        .collect()
}

/// True when a draw's box has the listed image's drawn size (either way round, for a
/// rotated image). The listed resolution is rounded to a whole ppi, so the size is known to
/// within half a pixel per inch, plus a little for the rounding of coordinates.
fn fits(l: &Listed, r: &Rect) -> bool {
    let Some((w, h)) = l.drawn_size() else {
        return false;
    };
    let (bw, bh) = ((r.x1 - r.x0).abs(), (r.y1 - r.y0).abs());
    let close = |size: f32, ppi: f32, drawn: f32| (size - drawn).abs() <= size * 0.6 / ppi + 2.0;
    (close(w, l.x_ppi, bw) && close(h, l.y_ppi, bh))
        || (close(w, l.x_ppi, bh) && close(h, l.y_ppi, bw))
}

/// The page-space boxes of the image draws of page `page`, in paint order.
///
/// # Errors
/// [`OcrError::Picture`] when the page cannot be interpreted.
pub fn draws(
    pdf: &lopdf::Document,
    bytes: &[u8],
    page: u32,
    limits: &Limits,
) -> Result<Vec<Rect>, OcrError> {
    let log = page_paint(pdf, bytes, page, limits)
        .map_err(|e| OcrError::Picture(format!("page {page}: {e}")))?;
    Ok(image_boxes(&log))
}

/// Where a page's paint log draws images, in drawing order.
pub fn image_boxes(log: &PaintLog) -> Vec<Rect> {
    log.items
        .iter()
        .filter_map(|i| match i {
            PaintItem::Image(p) => Some(p.bbox),
            _ => None,
        })
        .collect()
}

/// Most XObjects looked at while naming a page's images.
const MAX_NAMED: usize = 10_000;

/// The resource names of the image XObjects page `page` can draw (its own and its forms',
/// forms nested at most `max_depth` deep), by object id, so an image is named as the
/// extractor names it (`/Im0`).
pub fn resource_names(
    pdf: &lopdf::Document,
    page: u32,
    max_depth: usize,
) -> HashMap<(u32, u16), String> {
    let mut names = HashMap::new();
    let Some(page_id) = pdf.get_pages().get(&page).copied() else {
        return names;
    };
    let Ok((own, inherited)) = pdf.get_page_resources(page_id) else {
        return names;
    };
    let mut stack: Vec<(&lopdf::Dictionary, usize)> = own.into_iter().map(|r| (r, 0)).collect();
    stack.extend(
        inherited
            .iter()
            .filter_map(|id| pdf.get_dictionary(*id).ok())
            .map(|r| (r, 0)),
    );
    let mut seen: HashSet<lopdf::ObjectId> = HashSet::new();
    let mut visits = 0usize;
    while let Some((res, depth)) = stack.pop() {
        let Some(xobjects) = res
            .get(b"XObject")
            .ok()
            .and_then(|o| pdf.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        for (name, x) in xobjects.iter() {
            visits += 1;
            if visits > MAX_NAMED {
                return names;
            }
            let Ok(id) = x.as_reference() else { continue };
            if !seen.insert(id) {
                continue;
            }
            let Ok(stream) = pdf.get_object(id).and_then(lopdf::Object::as_stream) else {
                continue;
            };
            match stream.dict.get(b"Subtype").and_then(lopdf::Object::as_name) {
                Ok(b"Image") => {
                    names
                        .entry(id)
                        .or_insert_with(|| String::from_utf8_lossy(name).into_owned());
                }
                Ok(b"Form") if depth < max_depth => {
                    if let Some(r) = stream
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|o| pdf.dereference(o).ok())
                        .and_then(|(_, o)| o.as_dict().ok())
                    {
                        stack.push((r, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    names
}

/// One image of a page to read.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    /// Its name for warnings and segments: `page 2 /Im0`, `page 2 inline image 3`.
    pub part: String,
    /// Number of its `pdfimages` file.
    pub num: u32,
    /// Its box on the page.
    pub bbox: Rect,
}

/// What to do with the images of one page.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    /// Images to read, in paint order.
    pub read: Vec<PageImage>,
    /// Why images were not read (named).
    pub refused: Vec<String>,
}

/// Chooses the images of page `page` to read: drawn images (not masks) at least
/// [`MIN_SIDE`] on each side, each object once, not the page's own scan, within the pixel
/// budget, and placed on the page.
pub fn plan(
    page: u32,
    listed: &[Listed],
    draws: &[Rect],
    names: &HashMap<(u32, u16), String>,
    media_box: Rect,
    limits: &Limits,
) -> Plan {
    let drawn: Vec<&Listed> = listed.iter().filter(|l| l.is_drawn()).collect();
    let placed = place(&drawn, draws);
    let page_area = (media_box.x1 - media_box.x0) * (media_box.y1 - media_box.y0);
    let mut seen = HashSet::new();
    let mut out = Plan::default();
    for (l, bbox) in drawn.iter().zip(placed) {
        let part = match l.object.and_then(|id| names.get(&id)) {
            Some(name) => format!("page {page} /{name}"),
            None if l.object.is_none() => format!("page {page} inline image {}", l.num),
            None => format!("page {page} image {}", l.num),
        };
        if l.width < MIN_SIDE || l.height < MIN_SIDE {
            continue;
        }
        if let Some(id) = l.object {
            if !seen.insert(id) {
                continue;
            }
        }
        let pixels = u64::from(l.width) * u64::from(l.height);
        if pixels > limits.max_image_pixels {
            out.refused.push(format!(
                "{part}: {}×{} pixels is over the limit of {}",
                l.width, l.height, limits.max_image_pixels
            ));
            continue;
        }
        let Some(bbox) = bbox else {
            out.refused
                .push(format!("{part}: its place on the page is unknown"));
            continue;
        };
        let area = (bbox.x1 - bbox.x0).abs() * (bbox.y1 - bbox.y0).abs();
        if page_area > 0.0 && area >= PAGE_SCAN_COVER * page_area {
            continue;
        }
        out.read.push(PageImage {
            part,
            num: l.num,
            bbox,
        });
    }
    out
}

/// Refuses a page whose images would decode to more than `cap` bytes: `pdfimages` writes
/// every image of the page (masks and icons too) before any is read; `wanted` is how many
/// were to be read, for the error.
///
/// # Errors
/// [`OcrError::Picture`] naming the sizes.
pub fn check_disk(listed: &[Listed], cap: u64, wanted: usize) -> Result<(), OcrError> {
    let disk: u64 = listed.iter().map(Listed::raw_bytes).sum();
    if disk > cap {
        return Err(OcrError::Picture(format!(
            "they decode to {} MB, over the limit of {} MB; text in {wanted} image(s) was not read",
            disk.div_ceil(1 << 20),
            cap >> 20
        )));
    }
    Ok(())
}

/// Lists the image draws of page `page` with `pdfimages -list`.
///
/// # Errors
/// [`OcrError::Unavailable`] without pdfimages, [`OcrError::Timeout`], [`OcrError::Failed`].
pub fn list(pdf_path: &Path, page: u32, limit: Duration) -> Result<Vec<Listed>, OcrError> {
    let n = page.to_string();
    let out = process::run(
        "pdfimages",
        Command::new("pdfimages")
            .args(["-list", "-f", &n, "-l", &n])
            .arg(pdf_path),
        Vec::new(),
        limit,
    )?;
    Ok(parse_list(&String::from_utf8_lossy(&out)))
}

/// Writes every image of page `page` as PNG into `dir` (`img-NNN.png`).
///
/// # Errors
/// As [`list`].
pub fn write_all(pdf_path: &Path, page: u32, dir: &Path, limit: Duration) -> Result<(), OcrError> {
    let n = page.to_string();
    process::run(
        "pdfimages",
        Command::new("pdfimages")
            .args(["-png", "-f", &n, "-l", &n])
            .arg(pdf_path)
            .arg(dir.join("img")),
        Vec::new(),
        limit,
    )?;
    Ok(())
}

/// The file [`write_all`] wrote for image `num`.
pub fn file_of(dir: &Path, num: u32) -> PathBuf {
    dir.join(format!("img-{num:03}.png"))
}

/// Reads and deletes the PNG of image `num`, refusing a file over `max_bytes`.
///
/// # Errors
/// [`OcrError::Picture`] when the file is missing, too large or unreadable.
pub fn take_file(dir: &Path, num: u32, max_bytes: u64) -> Result<Vec<u8>, OcrError> {
    let path = file_of(dir, num);
    let bad = |e: &dyn std::fmt::Display| OcrError::Picture(format!("image {num}: {e}"));
    let size = std::fs::metadata(&path).map_err(|e| bad(&e))?.len();
    let bytes = if size > max_bytes {
        Err(bad(&format!(
            "{size} bytes is over the limit of {max_bytes}"
        )))
    } else {
        std::fs::read(&path).map_err(|e| bad(&e))
    };
    // Disk use stays at one page's images, shrinking as they are read.
    let _ = std::fs::remove_file(&path);
    bytes
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LIST: &str = "\
page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
--------------------------------------------------------------------------------------------
   1     0 image     900   300  gray    1   8  image  no         6  0   180   180 6541B 2.4%
   1     1 smask     900   300  gray    1   8  image  no        10  0   180   180 100B 0.1%
   1     2 image     800   320  rgb     3   8  jbig2  no         8  0   180   180 12.3K 1.6%
   1     3 image      32    32  rgb     3   8  image  no         9  0    96    96  240B 7.8%
   1     4 stencil   200   100  -       1   1  ccitt  no  [inline]       144   144   1K 1.0%
";

    fn row(num: u32, kind: &str, w: u32, h: u32, object: Option<(u32, u16)>, ppi: f32) -> Listed {
        Listed {
            num,
            kind: kind.into(),
            width: w,
            height: h,
            comp: 1,
            bpc: 8,
            object,
            x_ppi: ppi,
            y_ppi: ppi,
        }
    }

    #[test]
    fn parses_rows_with_objects_and_inline_images() {
        let rows = parse_list(LIST);
        assert_eq!(rows.len(), 5, "header lines are skipped");
        assert_eq!(rows[0], {
            let mut r = row(0, "image", 900, 300, Some((6, 0)), 180.0);
            r.comp = 1;
            r
        });
        assert_eq!(rows[2].comp, 3);
        assert_eq!(rows[4].object, None);
        assert_eq!(rows[4].x_ppi, 144.0);
        assert_eq!(rows[4].raw_bytes(), 200 * 100 / 8);
        assert_eq!(rows[2].raw_bytes(), 800 * 320 * 3);
        assert!(parse_list("   1  x image").is_empty());
    }

    #[test]
    fn a_page_whose_images_decode_past_the_cap_is_refused() {
        let rows = parse_list(LIST);
        let total = rows.iter().map(Listed::raw_bytes).sum::<u64>();
        assert!(check_disk(&rows, total, 2).is_ok());
        let err = check_disk(&rows, total - 1, 2).unwrap_err().to_string();
        assert_eq!(
            err,
            "picture cannot be read: they decode to 2 MB, over the limit of 1 MB; text in 2 image(s) was not read"
        );
    }

    #[test]
    fn pairs_images_with_draws_of_their_size() {
        let a = row(0, "image", 900, 300, Some((6, 0)), 180.0); // 360 x 120 pt
        let b = row(2, "image", 800, 320, Some((8, 0)), 180.0); // 320 x 128 pt
        let c = row(5, "image", 100, 100, Some((11, 0)), 72.0); // 100 x 100 pt, not drawn
        let ra = Rect::new(72.0, 560.0, 432.0, 680.0);
        let rb = Rect::new(210.0, 270.0, 530.0, 398.0);
        let other = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert_eq!(
            place(&[&a, &b, &c], &[ra, other, rb]),
            vec![Some(ra), Some(rb), None],
            "a draw of another size (an annotation, a mask) is passed over"
        );
        // Rotated a quarter turn: the box is 120 x 360.
        let rot = Rect::new(0.0, 0.0, 120.0, 360.0);
        assert_eq!(place(&[&a], &[rot]), vec![Some(rot)]);
        // Order is kept: b's draw before a's is not taken for a.
        assert_eq!(place(&[&b, &a], &[ra, rb]), vec![Some(rb), None]);
        let zero = row(0, "image", 900, 300, None, 0.0);
        assert_eq!(place(&[&zero], &[ra]), vec![None]);
    }

    #[test]
    fn plan_skips_icons_masks_repeats_scans_and_oversized_images() {
        let limits = Limits {
            max_image_pixels: 3_000_000,
            ..Limits::default()
        };
        let media = Rect::new(0.0, 0.0, 595.0, 842.0);
        let listed = vec![
            row(0, "image", 900, 300, Some((6, 0)), 180.0),
            row(1, "smask", 900, 300, Some((10, 0)), 180.0),
            row(2, "image", 32, 32, Some((9, 0)), 96.0),
            row(3, "image", 900, 300, Some((6, 0)), 180.0),
            row(4, "image", 2480, 3508, Some((12, 0)), 300.0),
            row(5, "image", 1240, 1754, Some((13, 0)), 150.0),
            row(6, "stencil", 200, 100, None, 144.0),
            row(7, "image", 400, 400, Some((14, 0)), 72.0),
        ];
        let draws = [
            Rect::new(72.0, 560.0, 432.0, 680.0),
            Rect::new(500.0, 760.0, 524.0, 784.0),
            Rect::new(72.0, 100.0, 432.0, 220.0),
            Rect::new(0.0, 0.0, 595.2, 841.9),
            Rect::new(0.0, 0.0, 595.2, 841.9),
            Rect::new(100.0, 100.0, 200.0, 150.0),
        ];
        let names = HashMap::from([((6, 0), "Im1".to_string())]);
        let plan = plan(2, &listed, &draws, &names, media, &limits);
        assert_eq!(
            plan.read,
            vec![
                PageImage {
                    part: "page 2 /Im1".into(),
                    num: 0,
                    bbox: draws[0]
                },
                PageImage {
                    part: "page 2 inline image 6".into(),
                    num: 6,
                    bbox: draws[5]
                },
            ]
        );
        assert_eq!(
            plan.refused,
            [
                "page 2 image 4: 2480×3508 pixels is over the limit of 3000000",
                "page 2 image 7: its place on the page is unknown",
            ],
            "image 5 is the page's scan; image 7 matches no draw"
        );
    }
}
