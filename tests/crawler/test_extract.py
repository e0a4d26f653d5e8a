"""crawler.extract: HTML -> regions, one behaviour per test."""

from __future__ import annotations

from crawler.extract import extract


def regions(html: str) -> dict[str, str]:
    return {r.name: r.text for r in extract(html).regions}


def test_script_style_and_templates_are_not_text() -> None:
    r = regions("<html><head><style>p{color:red}</style><script>var x='hidden';</script></head>"
                "<body><p>Visible</p><noscript>no js</noscript><template><p>tpl</p></template>"
                "<script>alert('no')</script></body></html>")
    assert r["body"] == "Visible"


def test_nav_and_footer_are_out_of_the_body() -> None:
    r = regions("<body><nav><a href='/'>Home</a> <a href='/p'>Pricing</a></nav><main><p>Content</p></main>"
                "<footer>© 2026 Acme</footer></body>")
    assert r["body"] == "Content"
    assert r["nav"] == "Home Pricing"
    assert r["footer"] == "© 2026 Acme"


def test_page_sidebar_is_nav_but_an_aside_in_the_article_is_content() -> None:
    r = regions("<body><article><p>Post</p><aside>Callout</aside></article>"
                "<aside>Related posts</aside></body>")
    assert r["body"] == "Post\nCallout"
    assert r["nav"] == "Related posts"


def test_site_header_is_nav_unless_it_holds_the_h1() -> None:
    chrome = regions("<body><header><a href='/'>Acme</a> <a href='/login'>Log in</a></header>"
                     "<p>Hi</p></body>")
    assert chrome["nav"] == "Acme Log in" and chrome["body"] == "Hi"
    hero = regions("<body><header><h1>Welcome</h1><p>Tagline</p></header></body>")
    assert hero["heading"] == "Welcome" and hero["body"] == "Tagline"


def test_chrome_marked_only_by_class_names() -> None:
    r = regions("<body><div class='navbar'>Home | Blog</div><div id='content'>Text</div>"
                "<div class='footer'>Copyright</div></body>")
    assert (r["nav"], r["body"], r["footer"]) == ("Home | Blog", "Text", "Copyright")


def test_headings_have_their_own_region() -> None:
    r = regions("<body><h1>Title</h1><p>Para</p><h2>Sub</h2></body>")
    assert r["heading"] == "Title\nSub"
    assert r["body"] == "Para"


def test_alt_text_of_images_is_its_own_region() -> None:
    r = regions("<body><img src='a.png' alt='A laptop'><img src='s.gif' alt=''><p>x</p>"
                "<input type='image' alt='Search'></body>")
    assert r["alt"] == "A laptop\nSearch"
    assert "laptop" not in r["body"]


def test_jsonld_is_parsed_and_its_strings_are_text() -> None:
    ex = extract('<head><script type="application/ld+json">{"@context": "https://schema.org", '
                 '"@type": "Product", "name": "Vault", "offers": {"@type": "Offer", "price": 499, '
                 '"url": "https://x.example/v"}}</script></head><body></body>')
    jsonld = next(r for r in ex.regions if r.name == "jsonld")
    assert jsonld.data == [{"@context": "https://schema.org", "@type": "Product", "name": "Vault",
                            "offers": {"@type": "Offer", "price": 499, "url": "https://x.example/v"}}]
    assert jsonld.text == "Vault\n499"


def test_jsonld_graph_is_flattened() -> None:
    ex = extract('<script type="application/ld+json">{"@graph": [{"@type": "A", "name": "a"}, '
                 '{"@type": "B", "name": "b"}]}</script>')
    assert [d["@type"] for d in ex.jsonld] == ["A", "B"]


def test_broken_jsonld_is_ignored() -> None:
    ex = extract('<script type="application/ld+json">{"name": "Acme" oops</script>'
                 '<script type="application/ld+json">{"name": "Good"}</script><p>Body</p>')
    assert ex.jsonld == [{"name": "Good"}]
    assert "oops" not in " ".join(r.text for r in ex.regions)


def test_blocks_are_on_separate_lines_and_inline_text_is_joined() -> None:
    r = regions("<body><p>One <b>bold</b>\n  word</p><ul><li>a</li><li>b</li></ul>"
                "<table><tr><td>c1</td><td>c2</td></tr></table>line<br>break</body>")
    assert r["body"] == "One bold word\na\nb\nc1\nc2\nline\nbreak"


def test_malformed_html_still_extracts() -> None:
    r = regions("<html><body><div><h1>Notes<p>First <b>bold</i> item</div></div></span>"
                "<ul><li>one<li>two</body>")
    assert r["heading"].startswith("Notes")
    assert "First bold item" in r["body"]
    assert "one\ntwo" in r["body"]


def test_hidden_elements_and_comments_are_not_text() -> None:
    r = regions("<body><p>Shown</p><div hidden>Secret</div><span aria-hidden='true'>★</span>"
                "<!-- a comment --></body>")
    assert r["body"] == "Shown"


def test_title_meta_canonical_links_and_base() -> None:
    ex = extract('<head><title> Acme  Pricing </title><meta name="description" content="Plans">'
                 '<link rel="canonical" href="https://acme.example/pricing/"><base href="https://acme.example/">'
                 '</head><body><a href="/a">A</a><area href="b"><a name="x">no href</a></body>')
    assert ex.title == "Acme Pricing"
    assert ex.canonical == "https://acme.example/pricing/"
    assert ex.links == ["/a", "b"]
    assert ex.base == "https://acme.example/"
    assert {r.name: r.text for r in ex.regions}["meta"] == "Plans"


def test_title_falls_back_to_the_first_h1_without_a_title_region() -> None:
    ex = extract("<body><h1>Welcome aboard</h1></body>")
    assert ex.title == "Welcome aboard"
    assert "title" not in {r.name for r in ex.regions}
