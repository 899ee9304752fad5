"""drivers: one module per device kind (interface, real and simulated backends); never imports Kivy."""
