import altair as alt

from cnslbp_lib.publish.site import _THEBE_BLOCKS, vega_lite_version


def test_bundled_vega_lite_matches_altair():
    assert alt.SCHEMA_VERSION.startswith(f"v{vega_lite_version()}.")


def test_thebe_configuration_blocks_are_removed():
    body = (
        "<p>x</p>\n"
        '    <script type="text/x-thebe-config">\n{ binderOptions: {} }\n</script>\n'
        "<script>kernelName = 'python3'</script>"
    )
    assert _THEBE_BLOCKS.sub("", body) == "<p>x</p>"
