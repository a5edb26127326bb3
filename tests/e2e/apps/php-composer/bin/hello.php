<?php

require __DIR__ . '/../vendor/autoload.php';

echo Acme\Greeter\Greeter::greet('composer'), PHP_EOL;
