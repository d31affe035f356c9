"""What readers get: the site registry, reader views and queries, listings, feeds,
sitemap, search, the page cache and memos, security headers and error pages."""
