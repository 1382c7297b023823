"""What a page shows: the report context and the calls notebooks make (tables, figures, quotes, key
findings), charts, and the page's style sheet."""
