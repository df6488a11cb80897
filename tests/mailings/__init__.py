"""Tests of mailings."""
