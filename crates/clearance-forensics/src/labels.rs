//! Microsoft Information Protection sensitivity labels (`MSIP_Label_<id>_<Field>` properties),
//! which Office writes into docProps/custom.xml and PDF Info/XMP. One finding per label.

use std::collections::BTreeMap;

use clearance_model::{Category, Finding, Severity, Source};

use crate::report::{finding, quote};

/// Fields of one label, by field name (`Name`, `SetDate`, `SiteId`, ...).
type LabelFields = BTreeMap<String, String>;

/// Splits `MSIP_Label_<id>_<Field>` (an optional `prefix:` is ignored) into id and field.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.rsplit(':').next().unwrap_or(key);
    let rest = key.strip_prefix("MSIP_Label_")?;
    let (id, field) = rest.rsplit_once('_')?;
    (!id.is_empty() && !field.is_empty()).then_some((id, field))
}

/// True for a property that belongs to a sensitivity label.
pub(crate) fn is_label_key(key: &str) -> bool {
    split_key(key).is_some()
}

/// Document-metadata findings for the labels among `props` (`(key, value)` pairs) found in
/// `part`.
pub(crate) fn findings<'a>(
    part: &str,
    props: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Finding> {
    let mut labels: BTreeMap<String, LabelFields> = BTreeMap::new();
    for (k, v) in props {
        if let Some((id, field)) = split_key(k) {
            labels
                .entry(id.to_string())
                .or_default()
                .insert(field.to_string(), v.trim().to_string());
        }
    }
    labels
        .into_iter()
        .map(|(id, fields)| {
            let name = fields.get("Name").filter(|n| !n.is_empty());
            let text = name.cloned().unwrap_or_else(|| id.clone());
            let mut why = match name {
                Some(n) => format!("Microsoft sensitivity label {} (id {id}", quote(n)),
                None => format!("Microsoft sensitivity label id {id} ("),
            };
            let mut extra = Vec::new();
            if let Some(d) = fields.get("SetDate").filter(|d| !d.is_empty()) {
                extra.push(format!("set {d}"));
            }
            if let Some(s) = fields.get("SiteId").filter(|d| !d.is_empty()) {
                extra.push(format!("tenant {s}"));
            }
            if !extra.is_empty() {
                if name.is_some() {
                    why.push_str(", ");
                }
                why.push_str(&extra.join(", "));
            } else if name.is_none() {
                why.push_str("no name");
            }
            why.push_str(&format!(") is recorded in {part}"));
            let mut f = finding(
                Category::DocumentMetadata,
                "sensitivity-label",
                Severity::Medium,
                &text,
                Source::Metadata,
                why,
            );
            f.part = Some(part.to_string());
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_fields_by_label_id() {
        let props = [
            ("MSIP_Label_3a8f_Name", "Confidential"),
            ("MSIP_Label_3a8f_SetDate", "2024-05-01T09:00:00Z"),
            ("pdfx:MSIP_Label_77_Enabled", "true"),
            ("MSIP_Labelling", "x"),
            ("Company", "Acme"),
        ];
        let f = findings("docProps/custom.xml", props);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].text, "Confidential");
        assert_eq!(
            f[0].explanation,
            "Microsoft sensitivity label \"Confidential\" (id 3a8f, set 2024-05-01T09:00:00Z) is recorded in docProps/custom.xml"
        );
        assert_eq!(f[1].text, "77");
        assert!(!is_label_key("MSIP_Labelling"));
    }
}
