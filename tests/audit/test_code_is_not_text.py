"""No rule matches inside code samples (<code>, <pre>…), whatever its kind."""

from audit.auditor import Auditor
from audit.documents import Document
from audit.rules import load_rules
from crawler.extract import extract

RULES = """\
rules:
  - {id: name, kind: term, preferred: CloudSync, variants: [Cloud Sync], fuzzy: true}
  - {id: signin, kind: language, prefer: sign in, avoid: [log in]}
  - {id: trial, kind: fact, type: duration, context: [free trial]}
"""

PAGE = """<body>
<p>Run <code>cloud sync --log in --free trial 30 days</code> to start. Cloud Sync is ready.</p>
<pre>Cloud Sync: log in
free trial: 30 days
ClowdSync</pre>
<p>Your free trial lasts 14 days.</p>
</body>"""


def test_nothing_matches_inside_code(tmp_path):
    (tmp_path / "r.yaml").write_text(RULES)
    auditor = Auditor(load_rules([tmp_path / "r.yaml"]))
    extracted = extract(PAGE)
    body = next(r for r in extracted.regions if r.name == "body")
    assert [body.text[a:b] for a, b in body.code] == [
        "cloud sync --log in --free trial 30 days", "Cloud Sync: log in free trial: 30 days ClowdSync"]
    doc = Document("website", "website", "https://acme.example/", "", extracted.regions)
    findings = list(auditor.audit([doc])) + auditor.finish()
    assert [(f.rule, f.locations[0].text) for f in findings] == [("name", "Cloud Sync")]
    assert findings[0].locations[0].start > body.code[0][1]
    assert [o.display for o in auditor.facts.observations] == ["14 days"]
