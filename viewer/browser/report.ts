// placeholder: the report's browser code (owned by the viewer work)
