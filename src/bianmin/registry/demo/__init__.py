"""The demo city behind `bianmin seed`: Wuhan's real division tree with a consistent, made-up
population — service centres at three levels, grids, staff, households, organisations."""
