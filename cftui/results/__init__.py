"""What runs leave behind: summaries over seeds, atomic writes, recordings, CSV and tables;
torch-free but for trials.py, which trains methods x seeds to produce them."""
