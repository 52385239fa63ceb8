"""便民 Bianmin — integrated grassroots public-service platform."""
