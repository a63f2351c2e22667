"""_prometheus: the sums of named metrics in a Prometheus text exposition (cloudflared's /metrics)."""

from __future__ import annotations

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._prometheus import sample_sums

# The shape of cloudflared's own exposition (HELP/TYPE lines, labelled and unlabelled samples).
CLOUDFLARED = """\
# HELP build_info Build and version information
# TYPE build_info gauge
build_info{goversion="go1.22.5",revision="2024-08-07T10:00:00Z",type="",version="2024.8.2"} 1
# HELP cloudflared_tunnel_ha_connections Number of active ha connections
# TYPE cloudflared_tunnel_ha_connections gauge
cloudflared_tunnel_ha_connections 4
# HELP cloudflared_tunnel_server_locations Where each tunnel is connected to.
# TYPE cloudflared_tunnel_server_locations gauge
cloudflared_tunnel_server_locations{connection_id="0",edge_location="fra08"} 1
cloudflared_tunnel_server_locations{connection_id="1",edge_location="ams01"} 1
"""


def test_an_unlabelled_gauge_is_its_value() -> None:
    assert sample_sums(CLOUDFLARED, ["cloudflared_tunnel_ha_connections"]) == {"cloudflared_tunnel_ha_connections": 4.0}


def test_labelled_samples_are_summed() -> None:
    assert sample_sums(CLOUDFLARED, ["cloudflared_tunnel_server_locations"]) == {
        "cloudflared_tunnel_server_locations": 2.0
    }


def test_a_metric_that_is_not_there_is_none_and_a_prefix_is_not_a_match() -> None:
    assert sample_sums(CLOUDFLARED, ["cloudflared_tunnel_ha", "missing"]) == {
        "cloudflared_tunnel_ha": None,
        "missing": None,
    }


def test_zero_connections_is_zero_not_none() -> None:
    assert sample_sums("cloudflared_tunnel_ha_connections 0\n", ["cloudflared_tunnel_ha_connections"]) == {
        "cloudflared_tunnel_ha_connections": 0.0
    }


def test_label_values_with_braces_quotes_and_spaces_and_a_timestamp() -> None:
    text = 'm{a="x} y",b="say \\"hi\\" {"} 2.5 1700000000000\nm{a="z"} 0.5\n'
    assert sample_sums(text, ["m"]) == {"m": 3.0}


def test_comments_blank_lines_nan_and_garbage_are_skipped() -> None:
    text = "\n# m 100\nm NaN\nm not-a-number\nm{broken 7\nm 1e1\n"
    assert sample_sums(text, ["m"]) == {"m": 10.0}
