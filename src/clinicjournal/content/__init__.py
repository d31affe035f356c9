"""Articles as authored: the front-matter format, citations, Markdown rendering,
import and export, revisions and translation status."""
