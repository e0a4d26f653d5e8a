"""crawler.extract: HTML -> regions, one behaviour per test."""

from __future__ import annotations

from crawler.extract import Selectors, check_selector, extract


def regions(html: str) -> dict[str, str]:
    return {r.name: r.text for r in extract(html).regions}


def test_script_style_and_templates_are_not_text_but_noscript_is() -> None:
    r = regions("<html><head><style>p{color:red}</style><script>var x='hidden';</script></head>"
                "<body><p>Visible</p><noscript>Turn on JavaScript to chat</noscript>"
                "<template><p>tpl</p></template><script>alert('no')</script></body></html>")
    assert r["body"] == "Visible\nTurn on JavaScript to chat"


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


# -- structure: what a reader sees around each block ------------------------------------------

def blocks(html: str, region: str = "body", **kw: object) -> list[tuple[str, object]]:
    r = next(r for r in extract(html, **kw).regions if r.name == region)
    return [(r.text[b.start:b.end], b) for b in r.blocks]


def test_table_cells_keep_their_row_and_column_headers() -> None:
    got = blocks("<table><thead><tr><td></td><th>Basic</th><th colspan='2'>Plus and Pro</th></tr></thead>"
                 "<tr><th scope='row'>Storage</th><td>5 GB</td><td>50 GB</td><td>1 TB</td></tr>"
                 "<tr><td>Seats</td><td>1</td><td>10</td><td>Unlimited</td></tr></table>")
    cells = {text: (b.row, b.col) for text, b in got if b.tag == "td"}
    assert cells["5 GB"] == ("Storage", "Basic")
    assert cells["50 GB"] == ("Storage", "Plus and Pro") and cells["1 TB"] == ("Storage", "Plus and Pro")
    assert cells["Unlimited"] == ("Seats", "Plus and Pro")
    assert "Seats" not in {t for t, b in got if b.row}  # a row header is no cell of its own row


def test_blocks_know_the_headings_above_them_and_their_lists_lead() -> None:
    got = dict(blocks("<h1>Pricing</h1><h2>Plus</h2><p>Plus includes:</p><ul><li>50 GB</li></ul>"
                      "<h2>Basic</h2><p>Basic is free.</p><h3>Limits</h3><p>One seat.</p>"))
    assert got["50 GB"].headings == ("Pricing", "Plus") and got["50 GB"].lead == "Plus includes:"
    assert got["Basic is free."].headings == ("Pricing", "Basic") and got["Basic is free."].lead is None
    assert got["One seat."].headings == ("Pricing", "Basic", "Limits")
    heads = dict(blocks("<h1>Pricing</h1><h2>Plus</h2>", "heading"))
    assert heads["Plus"].headings == ("Pricing",) and heads["Pricing"].headings == ()


def test_blocks_are_in_reading_order_across_regions() -> None:
    ex = extract("<div class='navbar'>Menu</div><h1>Title</h1><p>Text</p><footer>Foot</footer>")
    order = sorted((b.seq, r.text[b.start:b.end]) for r in ex.regions for b in r.blocks)
    assert [t for _, t in order] == ["Menu", "Title", "Text", "Foot"]


def test_links_buttons_and_quotes_are_marked_in_their_sentence() -> None:
    r = next(r for r in extract("<p>Read <a href='/g'>the <b>full</b> guide</a> or "
                                "<a class='btn-primary' href='/s'>Start free trial</a>. "
                                "<button>Buy</button></p><blockquote>Best tool <q>ever</q></blockquote>"
                                "<input type='submit' value='Send it'>").regions if r.name == "body")
    marked = {name: [r.text[s:e] for s, e in ranges] for name, ranges in r.marks.items()}
    assert marked["link"] == ["the full guide"]
    assert marked["button"] == ["Start free trial", "Buy", "Send it"]
    assert marked["quote"] == ["Best tool ever"]
    assert r.text.startswith("Read the full guide or Start free trial.")


def test_class_and_id_words_are_split_on_dashes_underscores_and_case() -> None:
    r = regions("<div id='mainNav'>Home Blog</div><div class='docs-nav'>Install</div>"
                "<div class='site-footer__inner'>© Acme</div><div class='navigation-example card'>"
                "Card</div><div class='pagination'>Older posts</div><p>Text</p>")
    assert r["nav"] == "Home Blog\nInstall\nOlder posts"
    assert r["footer"] == "© Acme"
    assert "Card" in r["body"]


def test_outside_the_one_main_element_is_chrome() -> None:
    r = regions("<div class='top'>Shop Journal</div><main><h1>Candles</h1><p>Hand poured.</p></main>"
                "<div class='bottom'>Wholesale</div>")
    assert (r["nav"], r["body"], r["footer"]) == ("Shop Journal", "Hand poured.", "Wholesale")


def test_a_quotations_own_footer_is_its_attribution() -> None:
    r = regions("<main><blockquote><p>Saved my week.</p><footer>— Ana, Lisbon</footer></blockquote></main>")
    assert r["body"] == "Saved my week.\n— Ana, Lisbon" and "footer" not in r


def test_selectors_mark_main_content_chrome_and_text_to_leave_out() -> None:
    html = ("<div class='top'>Menu</div><div class='wrap'><div class='content'><p>Body text</p>"
            "<div class='quotes'>Testimonial</div><p class='nop'>Skip me</p></div>"
            "<div class='legal'>Legal</div></div><div>After</div>")
    sel = Selectors(main=[".content"], footer=[".legal"], exclude=[".quotes", ".nop"])
    r = {x.name: x.text for x in extract(html, selectors=sel).regions}
    assert r["body"] == "Body text"
    assert r["nav"] == "Menu" and r["footer"] == "Legal\nAfter"
    assert "Testimonial" not in str(r) and "Skip me" not in str(r)
    assert check_selector("div[[x") is not None and check_selector("article.content > p") is None


def test_deep_nesting_is_read_without_recursion() -> None:
    # Past Python's recursion limit; libxml2 itself keeps about 2,000 levels (huge_tree).
    r = regions("<div>" * 1900 + "<p>Deep text</p>" + "</div>" * 1900 + "<p>After</p>")
    assert r["body"] == "Deep text\nAfter"


def test_structure_that_cannot_be_kept_falls_back_to_flat_text(caplog) -> None:
    caplog.set_level("INFO")
    ex = extract("<p>Hi {{ first_name</p><p>}} welcome</p><p>Bye</p>", merge_tags=True)
    body = next(r for r in ex.regions if r.name == "body")
    assert "Bye" in body.text and body.blocks == [] and ex.flat == ["body"]
    assert len(body.lines()) == body.text.count("\n") + 1
    assert "kept flat" in caplog.text


# -- page dates ---------------------------------------------------------------------------------

def test_page_dates_from_jsonld_meta_time_and_url() -> None:
    def dates(html: str, url: str | None = None) -> tuple[str | None, str | None]:
        ex = extract(html, url=url)
        return ex.published, ex.updated

    assert dates('<script type="application/ld+json">{"@type": "BlogPosting", '
                 '"datePublished": "2019-05-14T09:00:00+02:00", "dateModified": "2019-06-01"}</script>'
                 ) == ("2019-05-14", "2019-06-01")
    assert dates('<meta property="article:published_time" content="2020-02-03T10:00:00Z">'
                 '<meta property="article:modified_time" content="2021-01-05">'
                 ) == ("2020-02-03", "2021-01-05")
    assert dates('<article><time itemprop="datePublished" datetime="2018-07-09">9 July</time></article>'
                 ) == ("2018-07-09", None)
    assert dates("<article><p>Posted <time>Jul 2, 2024</time></p><p>Text</p></article>")[0] == "2024-07-02"
    assert dates("<p>Text</p>", url="https://acme.example/blog/2020/06/18/post.html")[0] == "2020-06-18"
    # A date in the site footer is not the page's.
    assert dates("<main><p>Text</p></main><footer>Last updated 2026-03-02</footer>") == (None, None)
    assert dates("<p>We were founded on 2015-03-01 in Oslo.</p>") == (None, None)


def test_a_page_whose_structure_cannot_be_read_is_kept_as_flat_text(monkeypatch, caplog) -> None:
    import crawler.extract as ex

    def broken(self, body):
        raise RecursionError("simulated")

    monkeypatch.setattr(ex._Walker, "run", broken)
    r = regions("<body><div><p>First line</p><p>Second line</p></div></body>")
    assert r["body"] == "First line\nSecond line"
    assert "flat text" in caplog.text


def test_a_section_headed_by_a_date_dates_its_blocks() -> None:
    got = dict(blocks("<h1>Changelog</h1><h2>March 2021</h2><p>Trial extended to 30 days.</p>"
                      "<h2>Jul 14, 2026</h2><p>Funnels are here.</p><h2>What changed since 2019</h2>"
                      "<p>Everything.</p>"))
    assert got["Trial extended to 30 days."].date == "2021-03-01"
    assert got["Funnels are here."].date == "2026-07-14"
    assert got["Everything."].date is None  # a year named in a heading is no date
