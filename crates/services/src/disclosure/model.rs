//! The text VVSG's model policy starts from: written for cyberveilig (not copied), in Dutch and
//! English, along the conditions of the Belgian legal procedure for reporting vulnerabilities
//! (Centre for Cybersecurity Belgium; law of 7 April 2023, now articles 22 and 23 of the law of
//! 26 April 2024; CVD-1 in docs/RULES.md). VVSG edits it; a government adopts a copy and adapts
//! it.

use cyberveilig_domain::disclosure::{Bilingual, PolicyContent, ResponseTargets};

const INTRO_NL: &str = "Wij willen dat onze systemen en de gegevens van onze inwoners veilig zijn. Toch kan er ergens een kwetsbaarheid in zitten. \
Vindt u er een, meld ze ons dan zo snel mogelijk, zodat we ze kunnen verhelpen voor iemand er misbruik van maakt.\n\n\
Dit beleid zegt welke systemen u mag onderzoeken, wat u daarbij mag en niet mag doen, hoe u een kwetsbaarheid meldt en wat u van ons mag verwachten. \
Het volgt het modelbeleid dat VVSG voor de lokale besturen opstelde, en de Belgische regels voor ethisch hacken.";

const INTRO_EN: &str = "We want our systems and the data of our residents to be secure. Even so, a vulnerability may be hiding somewhere. \
If you find one, please report it to us as soon as you can, so that we can fix it before anyone abuses it.\n\n\
This policy says which systems you may investigate, what you may and may not do while doing so, how to report a vulnerability and what you can expect from us. \
It follows the model policy VVSG drew up for local governments, and the Belgian rules for ethical hacking.";

const ALLOWED_NL: &str = "Kwetsbaarheden zoeken in de systemen die dit beleid in scope noemt, zonder bedrieglijk opzet en zonder het oogmerk te schaden.\n\
Enkel doen wat nodig en evenredig is om aan te tonen dat de kwetsbaarheid bestaat: is ze op kleine schaal aangetoond, dan stopt u.\n\
Een eigen testaccount gebruiken, of gegevens die u zelf invoerde.\n\
Geautomatiseerde scans uitvoeren aan een bescheiden tempo, zodat onze dienstverlening er niet onder lijdt.";

const ALLOWED_EN: &str = "Looking for vulnerabilities in the systems this policy names as in scope, without fraudulent intent and without intent to harm.\n\
Doing only what is necessary and proportionate to show that the vulnerability exists: once it is shown on a small scale, you stop.\n\
Using a test account of your own, or data you entered yourself.\n\
Running automated scans at a modest pace, so that our services do not suffer.";

const FORBIDDEN_NL: &str = "Geen aanvallen op de beschikbaarheid van onze diensten (denial of service), geen spam.\n\
Geen social engineering of phishing bij ons personeel, onze inwoners of onze leveranciers, en geen fysieke toegang tot onze gebouwen.\n\
Geen gegevens inkijken, kopiëren, wijzigen of wissen voorbij wat nodig is om de kwetsbaarheid aan te tonen; persoonsgegevens die u toch ziet, houdt u vertrouwelijk en wist u na uw melding.\n\
Geen malware of achterdeuren installeren, geen wachtwoorden kraken en geen brute-force-aanvallen.\n\
Geen systemen onderzoeken die buiten de scope vallen of van derden zijn, tenzij die derde vooraf schriftelijk akkoord gaf.\n\
Niets over de kwetsbaarheid openbaar maken of met anderen delen zonder ons akkoord.\n\
Wat hier verboden is, mag alleen wanneer een schriftelijke opdracht van ons (zoals een traject met een hogeschool) het uitdrukkelijk toelaat.";

const FORBIDDEN_EN: &str = "No attacks on the availability of our services (denial of service), no spam.\n\
No social engineering or phishing of our staff, our residents or our suppliers, and no physical access to our buildings.\n\
No viewing, copying, changing or deleting data beyond what is needed to show the vulnerability; personal data you do see you keep confidential and delete after your report.\n\
No installing malware or back doors, no cracking passwords and no brute-force attacks.\n\
No investigating systems out of scope or belonging to third parties, unless that third party agreed in writing beforehand.\n\
No disclosing anything about the vulnerability or sharing it with others without our agreement.\n\
What is forbidden here is allowed only where a written assignment from us (such as a track with a university college) expressly allows it.";

const SAFE_HARBOUR_NL: &str = "Houdt u zich aan dit beleid, dan beschouwen wij uw onderzoek als toegestaan. Wij dienen dan geen klacht in en stellen geen burgerlijke vordering in voor wat u binnen dit beleid deed. \
Dat geldt onder dezelfde voorwaarden als de wettelijke meldingsprocedure in België:\n\
u handelt zonder bedrieglijk opzet en zonder het oogmerk te schaden;\n\
u meldt de kwetsbaarheid zo snel mogelijk aan ons; wilt u ook de wettelijke bescherming, dan meldt u ze volgens zijn procedure ook aan het Centrum voor Cybersecurity België (CCB), en aan ons uiterlijk op hetzelfde moment;\n\
u beperkt uw handelingen tot wat nodig en evenredig is om de kwetsbaarheid aan te tonen;\n\
u maakt niets openbaar zonder ons akkoord, en zonder dat van het CCB wanneer u het verwittigde.\n\n\
Wij kunnen niet beloven wat anderen doen, zoals het openbaar ministerie; op uw vraag bevestigen wij schriftelijk dat u binnen dit beleid handelde. \
Wij behandelen uw melding en uw gegevens vertrouwelijk en geven uw naam niet zonder uw toestemming door.";

const SAFE_HARBOUR_EN: &str = "If you keep to this policy, we regard your research as authorised. We will then not file a complaint or bring a civil claim for what you did within this policy. \
That holds under the same conditions as the legal reporting procedure in Belgium:\n\
you act without fraudulent intent and without intent to harm;\n\
you report the vulnerability to us as soon as possible; if you also want the legal protection, you report it under its procedure to the Centre for Cybersecurity Belgium (CCB) too, and to us at the latest at the same moment;\n\
you limit what you do to what is necessary and proportionate to show the vulnerability;\n\
you disclose nothing without our agreement, nor without the CCB's when you notified it.\n\n\
We cannot promise what others will do, such as the public prosecutor; on request we confirm in writing that you acted within this policy. \
We treat your report and your data confidentially and do not pass on your name without your consent.";

/// The model's first text, before VVSG published anything.
pub fn initial_model() -> PolicyContent {
    PolicyContent {
        intro: Bilingual::new(INTRO_NL, INTRO_EN),
        allowed: Bilingual::new(ALLOWED_NL, ALLOWED_EN),
        forbidden: Bilingual::new(FORBIDDEN_NL, FORBIDDEN_EN),
        safe_harbour: Bilingual::new(SAFE_HARBOUR_NL, SAFE_HARBOUR_EN),
        include_assets: true,
        in_scope: Vec::new(),
        out_of_scope: vec!["Systemen van leveranciers en andere derden / Systems of suppliers and other third parties".into()],
        contact_email: String::new(),
        encryption_url: String::new(),
        targets: ResponseTargets::default(),
        credit: true,
    }
}

#[cfg(test)]
mod tests {
    use cyberveilig_domain::disclosure::check_model;

    #[test]
    fn the_initial_model_is_complete_in_both_languages() {
        assert_eq!(check_model(&super::initial_model()), Ok(()));
    }
}
