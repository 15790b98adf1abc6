CREATE DATABASE docstream_registry;
