"""The reflection report per access team or municipality for a period (suppressed counts from the
analyst's protected tables): a page and a PDF made as an export job."""
