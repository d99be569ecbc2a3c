"""Sphinx configuration for the skl_lrp documentation (builds offline)."""

from threadpoolctl import threadpool_limits

import skl_lrp

# The gallery's examples run in this process. On a small shared machine,
# multi-threaded BLAS makes MLP training several times slower (one example
# measured at 8.6 s on one thread, 39 s on two under load), so one thread.
threadpool_limits(limits=1)

project = "skl_lrp"
author = "skl_lrp developers"
# The footer reads "© Copyright 2026, skl_lrp developers."
copyright = "2026, skl_lrp developers"
release = skl_lrp.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 shipped in a wheel: the pages render formulas without a
    # network (see mathjax_path below).
    "sphinx-mathjax-offline",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"savefig.bbox": "tight"}
autosummary_generate = True

# The example gallery: every script in examples/ runs at each build (a
# failing example fails the build), and its output and figures are shown.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # The files are numbered in reading order.
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 0,
    "show_memory": False,
    "image_srcset": [],
    # The timing pages load a table script from a CDN; each example's page
    # gives its own running time.
    "write_computation_times": False,
}
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
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_title = f"skl_lrp {release}"
html_theme_options = {
    # No icons or version switcher fetched from elsewhere: the site is static.
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "navigation_with_keys": False,
}
# A left sidebar only where there is a section to navigate (the user guide,
# the API reference): the other pages, the examples' wide code and figures
# among them, take the full width (the gallery index and the previous/next
# links lead between the examples).
html_sidebars = {
    page: []
    for page in ["index", "install", "quickstart", "theory", "faq", "auto_examples/*"]
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
templates_path = ["_templates"]
