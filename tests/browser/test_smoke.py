def test_reader_reaches_lithuania_from_the_home_page(
    live_server, demo_data, page, screenshot, axe_violations
):
    page.goto(live_server.url + "/")
    assert page.title().startswith("Child online safety")
    screenshot("home")
    assert axe_violations() == []
    page.get_by_role("link", name="Lithuania").first.click()
    page.wait_for_url("**/countries/lt/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lithuania"
    screenshot("lithuania")
