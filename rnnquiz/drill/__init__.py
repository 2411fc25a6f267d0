"""The drill: templates, problems with checked answers, grading with named misconceptions, the
practice session and its history."""
