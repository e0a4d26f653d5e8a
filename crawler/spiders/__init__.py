"""One spider per touchpoint kind: website, helpcenter, email."""
