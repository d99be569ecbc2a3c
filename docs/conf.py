"""Sphinx configuration for the skl_lrp documentation (builds offline)."""

import skl_lrp

project = "skl_lrp"
author = "skl_lrp developers"
release = skl_lrp.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
]
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"savefig.bbox": "tight"}
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = {
    "all",
    "GL01",
    "GL02",
    "SA01",
    "ES01",
    "EX01",
    "RT02",
    "SS06",
    "PR09",
    "RT03",
    "SA04",
    "GL08",
}
exclude_patterns = ["_build"]
html_theme = "alabaster"
# (the default 940px column cuts the wider tables off)
html_theme_options = {"page_width": "1200px"}
html_static_path = []
templates_path = ["_templates"]
