"""The Train page: composer, action bar, live training, evaluation, export, model pool."""
