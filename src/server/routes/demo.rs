//! The demo's sign-in page: demo users of every role in organizations that show
//! each case (add-on on and off, report flag on and off, new and mature). It exists
//! only under `impact demo`; production signs people in with the host's token.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::i18n::{demo as words, Lang, Phrase};
use crate::server::auth::{sign_hs256, Claims, Role};
use crate::server::errors::{resource, ApiError};

/// The demo organizations, what each shows, and whether its flags are on.
pub(crate) const DEMO_ACCOUNTS: &[(&str, &str, Phrase, bool, bool)] = &[
    (
        "org_kopi_nusantara",
        "Kopi Nusantara",
        words::MATURE_FORECAST,
        true,
        true,
    ),
    (
        "org_apotek_sehat",
        "Apotek Sehat",
        words::MATURE,
        true,
        false,
    ),
    (
        "org_laundry_kilat",
        "Laundry Kilat Makassar",
        words::NO_BUSINESS_HOURS,
        true,
        false,
    ),
    (
        "org_kedai_baru",
        "Kedai Baru",
        words::BRAND_NEW,
        true,
        false,
    ),
    (
        "org_batik_sekar",
        "Batik Sekar Arum",
        words::FLAG_OFF,
        false,
        false,
    ),
    (
        "org_kopi_papua",
        "Kopi Papua Jayapura",
        words::EASTERN,
        true,
        false,
    ),
    (
        "org_klinik_senyum",
        "Klinik Gigi Senyum",
        words::EVENING_HOURS,
        true,
        false,
    ),
    (
        "org_bengkel_maju",
        "Bengkel Maju Jaya",
        words::NO_ADDON,
        true,
        false,
    ),
];

/// The flags file the demo starts with, matching `DEMO_ACCOUNTS`.
pub(crate) fn demo_flags_file() -> String {
    let mut text = String::from(
        "# Written by `impact demo`. Edit it while the demo runs: changes apply within seconds.\n\
         [defaults]\nai_agent_impact_report = false\nai_agent_impact_report_forecast = false\n\n\
         [global]\nai_agent_impact_report = true\nai_agent_impact_report_forecast = true\n",
    );
    for (org, _, _, report, forecast) in DEMO_ACCOUNTS {
        text.push_str(&format!(
            "\n[accounts.{org}]\nai_agent_impact_report = {report}\nai_agent_impact_report_forecast = {forecast}\n"
        ));
    }
    text
}

pub(crate) struct DemoSignIn {
    secret: String,
}

impl DemoSignIn {
    pub fn new(secret: String) -> Self {
        Self { secret }
    }
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource("/", "GET").route(web::get().to(|| async {
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/demo/sign-in"))
                .finish()
        })))
        .service(resource("/demo/sign-in", "GET").route(web::get().to(page)))
        .service(resource("/demo/sign-in/{org}/{role}", "GET").route(web::get().to(sign_in)));
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(query: web::Query<LangQuery>) -> HttpResponse {
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let other = lang.other().code();
    let mut rows = String::new();
    for (org, name, expect, _, _) in DEMO_ACCOUNTS {
        let links: Vec<String> = Role::ALL
            .iter()
            .map(|role| {
                format!(
                    r#"<a href="/demo/sign-in/{org}/{role}?lang={code}">{role}</a>"#,
                    role = role.as_str(),
                    code = lang.code()
                )
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td><strong>{}</strong><br><small>{}</small></td><td>{}</td><td>{}</td></tr>\n",
            escape(name),
            escape(org),
            escape(expect.text(lang)),
            links.join(" · ")
        ));
    }
    let html = format!(
        r#"<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1c2430;line-height:1.5}}
table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:.6rem;border-bottom:1px solid #d8dee6;vertical-align:top}}
a{{color:#0b57d0}}a:focus{{outline:3px solid #0b57d0;outline-offset:2px}}
small{{overflow-wrap:anywhere}}
@media (max-width:40rem){{body{{margin:1rem auto}}thead{{display:none}}table,tbody,tr,td{{display:block}}tr{{border-bottom:1px solid #d8dee6;padding:.4rem 0}}td{{border:0;padding:.2rem 0}}}}
</style></head>
<body><h1>{title}</h1><p>{intro}</p><p><a href="/demo/sign-in?lang={other}">{other_language}</a></p>
<table><thead><tr><th>{organization}</th><th>{expect}</th><th>{sign_in_as}</th></tr></thead><tbody>
{rows}</tbody></table></body></html>"#,
        code = lang.code(),
        title = words::TITLE.text(lang),
        intro = words::INTRO.text(lang),
        other_language = words::OTHER_LANGUAGE.text(lang),
        organization = words::ORGANIZATION.text(lang),
        expect = words::WHAT_TO_EXPECT.text(lang),
        sign_in_as = words::SIGN_IN_AS.text(lang),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// Mints a demo token for the chosen person and hands it over like the host would.
async fn sign_in(
    path: web::Path<(String, String)>,
    query: web::Query<LangQuery>,
    demo: web::Data<DemoSignIn>,
) -> Result<HttpResponse, ApiError> {
    let (org, role) = path.into_inner();
    if !DEMO_ACCOUNTS.iter().any(|(id, ..)| *id == org) {
        return Err(ApiError::NotFound);
    }
    let role: Role =
        serde_json::from_value(serde_json::Value::String(role)).map_err(|_| ApiError::NotFound)?;
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let claims = Claims {
        sub: format!("demo-{}-{}", role.as_str(), org),
        org_id: org,
        role,
        locale: lang,
        exp: Utc::now().timestamp() + 8 * 3600,
        nbf: None,
    };
    let token = sign_hs256(&demo.secret, &claims)
        .map_err(|e| ApiError::failed("signing a demo token", e))?;
    // `next` is itself a URL parameter: its `?` and `=` are escaped.
    let next = format!(
        "{}%3Flang%3D{}",
        crate::server::paths::REPORT_PATH,
        lang.code()
    );
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/auth/handoff?token={token}&next={next}"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_offers_every_organization_it_builds() {
        let offered: Vec<(&str, &str)> = DEMO_ACCOUNTS
            .iter()
            .map(|(org, name, _, _, _)| (*org, *name))
            .collect();
        let built: Vec<(String, &str)> = crate::generate::template_organizations().collect();
        assert_eq!(offered.len(), built.len());
        for (org, name) in &built {
            assert!(
                offered.contains(&(org.as_str(), *name)),
                "{org} ({name}) is built but not offered"
            );
        }
    }
}
