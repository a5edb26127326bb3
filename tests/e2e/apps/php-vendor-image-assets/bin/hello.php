<?php
// Prints the greeting of the composer package and the asset the build made.
require __DIR__ . '/../vendor/autoload.php';

$asset = trim(file_get_contents(__DIR__ . '/../public/build/app.txt'));
echo Acme\Greeter\Greeter::greet('composer'), "; ", $asset, PHP_EOL;
