"""The ``kubecourse`` command line: a thin door that parses options and calls the packages."""
