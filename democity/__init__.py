"""The demo city (演示城市): Shenzhen's real hierarchy filled with synthetic block data.

Entry point: :func:`democity.pipeline.load_demo_city`; planted hotspots for tests and
demonstrations: :data:`democity.hotspots.PLANTED_HOTSPOTS`. See docs/demo-city.md.
"""
