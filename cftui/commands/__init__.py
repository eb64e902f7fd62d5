"""One module per subcommand of cftui, each the glue from parsed flags to the layers below."""
