"""The web workbench (网页工作台): server-rendered pages in Simplified Chinese, no CDN."""
